/* Dashboard charts: daily intake stacked by channel, category and department (ECharts 5.6.0).
   A click on a bar opens the queue filtered by what was clicked. */
(function () {
  "use strict";
  var node = document.getElementById("dashboard-data");
  if (!node || typeof echarts === "undefined") { return; }
  var charts = JSON.parse(node.textContent);
  var queue = document.querySelector("a.brand").getAttribute("href");
  Object.keys(charts).forEach(function (key) {
    var element = document.getElementById("chart-" + key);
    if (!element) { return; }
    var data = charts[key];
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText" },  // HTML tooltips carry style attributes the CSP refuses
      legend: { type: "scroll", top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.dates.map(function (d) { return d.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "total", data: s.data, emphasis: { focus: "series" } };
      })
    });
    chart.on("click", function (params) {
      var series = data.series[params.seriesIndex];
      if (!series || !series.code) { return; }
      var day = data.dates[params.dataIndex];
      window.location.href = queue + "?queue=all&" + element.dataset.filter + "=" + encodeURIComponent(series.code) +
        "&day=" + encodeURIComponent(day);
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
