// Times the server wrote in UTC (<time datetime="..." data-local-time>) shown in the
// browser's own time zone, e.g. "4 Dec 2026, 09:15". Without JavaScript the UTC text stays.
// A learner who chose a time zone on their profile gets the server's times in that zone
// (<html data-time-zone>, accounts/middleware.py): those stay as written.
(function () {
  "use strict";
  if (document.documentElement.dataset.timeZone) return;
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  for (const element of document.querySelectorAll("time[data-local-time]")) {
    const moment = new Date(element.getAttribute("datetime"));
    if (!Number.isNaN(moment.getTime())) {
      element.title = element.textContent.trim();
      element.textContent = format.format(moment);
    }
  }
})();
