// Small enhancements; every page works without this file.
(function () {
  "use strict";
  // A click on a pickable map fills the form's lat/lon fields (the inverse of the server's projection).
  function setupPickMap(svg) {
    var form = svg.closest("form");
    if (!form) return;
    var lat = form.querySelector("input[name=lat]");
    var lon = form.querySelector("input[name=lon]");
    var dot = svg.querySelector("circle.pick");
    var d = svg.dataset;
    var minLon = +d.minLon, minLat = +d.minLat, maxLon = +d.maxLon, maxLat = +d.maxLat;
    var width = +d.width, height = +d.height, pad = +d.padding;
    var midLat = (minLat + maxLat) / 2 * Math.PI / 180;
    var lonFactor = Math.cos(midLat);
    var spanX = Math.max((maxLon - minLon) * lonFactor, 1e-12), spanY = Math.max(maxLat - minLat, 1e-12);
    var scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
    var offX = (width - spanX * scale) / 2, offY = (height - spanY * scale) / 2;
    function show(x, y) { if (dot) { dot.setAttribute("cx", x); dot.setAttribute("cy", y); } }
    if (lat && lon && lat.value && lon.value) {
      show(offX + (+lon.value - minLon) * lonFactor * scale, offY + (maxLat - +lat.value) * scale);
    }
    svg.addEventListener("click", function (event) {
      var box = svg.getBoundingClientRect();
      var x = (event.clientX - box.left) * width / box.width;
      var y = (event.clientY - box.top) * height / box.height;
      var pickedLon = minLon + (x - offX) / (scale * lonFactor);
      var pickedLat = maxLat - (y - offY) / scale;
      if (lat && lon) { lat.value = pickedLat.toFixed(6); lon.value = pickedLon.toFixed(6); }
      show(x, y);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("svg.pick-map").forEach(setupPickMap);
    document.querySelectorAll("[data-print]").forEach(function (b) { b.addEventListener("click", function () { window.print(); }); });
  });
})();
