// Grid cells that link: the text is the cell's value, shown as text (never markdown or HTML);
// the address is built on the server (components.href) and only a path on this site is followed.
var dagcomponentfuncs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

dagcomponentfuncs.DataLink = function (props) {
  var text = props.value === null || props.value === undefined ? "" : String(props.value);
  var field = props.colDef.cellRendererParams && props.colDef.cellRendererParams.href;
  var href = props.data && field ? props.data[field] : null;
  if (typeof href !== "string" || href.charAt(0) !== "/" || href.charAt(1) === "/") {
    return text;
  }
  return React.createElement("a", {href: href}, text);
};

// A score trend as a line on a y-range fitted to its own values (a flat line when they are equal),
// the last point marked; the value is a list of numbers, oldest first.
dagcomponentfuncs.Sparkline = function (props) {
  var values = (Array.isArray(props.value) ? props.value : []).filter(function (v) {
    return typeof v === "number" && isFinite(v);
  });
  if (values.length < 2) {
    return values.length ? values[0].toFixed(1) : "—";
  }
  var width = 104, height = 24, pad = 3;
  var low = Math.min.apply(null, values), high = Math.max.apply(null, values);
  var span = high - low || 1;
  var points = values.map(function (v, i) {
    var x = pad + (i * (width - 2 * pad)) / (values.length - 1);
    var y = high === low ? height / 2 : pad + ((high - v) * (height - 2 * pad)) / span;
    return [x, y];
  });
  var last = points[points.length - 1];
  var title = "近" + values.length + "个月：" + low.toFixed(1) + " – " + high.toFixed(1);
  return React.createElement("svg", {width: width, height: height, role: "img", "aria-label": title,
                                     style: {display: "block", marginTop: "4px"}},
    React.createElement("title", null, title),
    React.createElement("polyline", {points: points.map(function (p) { return p.join(","); }).join(" "),
                                     fill: "none", stroke: "#1f4e79", strokeWidth: 1.5}),
    React.createElement("circle", {cx: last[0], cy: last[1], r: 2.5, fill: "#c8102e"}));
};
