// Dash's date picker names its clear button "Clear Dates", in its code and with no property to say
// otherwise: it is named in Chinese here, as every other control of the portal is, for a screen
// reader. React leaves the name alone on a later render (its own value has not changed); a picker
// drawn anew is renamed when it appears.
(function () {
  var CLEAR = 'a.dash-datepicker-clear[aria-label="Clear Dates"]';
  function rename() {
    document.querySelectorAll(CLEAR).forEach(function (button) { button.setAttribute("aria-label", "清除日期"); });
  }
  new MutationObserver(rename).observe(document.documentElement, {childList: true, subtree: true});
})();
