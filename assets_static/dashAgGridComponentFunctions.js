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
