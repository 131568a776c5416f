// Times the server wrote in UTC (<time datetime="..." data-local-time>) shown in the
// browser's own time zone, e.g. "4 Dec 2026, 09:15". Without JavaScript the UTC text stays.
(function () {
  "use strict";
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  for (const element of document.querySelectorAll("time[data-local-time]")) {
    const moment = new Date(element.getAttribute("datetime"));
    if (!Number.isNaN(moment.getTime())) {
      element.title = element.textContent.trim();
      element.textContent = format.format(moment);
    }
  }
})();
