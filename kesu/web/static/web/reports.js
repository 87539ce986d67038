/* Reports pages: indicators and analysis charts (ECharts 5.6.0, SVG renderer). Data comes from
   json_script blocks; a click on a bar opens the queue filtered by what was clicked. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }

  function chartOn(id) {
    var element = document.getElementById(id);
    if (!element) { return null; }
    var chart = echarts.init(element, null, { renderer: "svg" });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function percent(value) { return value === null || value === undefined ? null : Math.round(value * 1000) / 10; }

  function drillOn(chart, links) {
    if (!chart || !links) { return; }
    chart.on("click", function (params) {
      var link = links[params.dataIndex];
      if (link) { window.location.href = link; }
    });
  }

  var base = { animation: false, tooltip: { trigger: "axis", renderMode: "richText" }, legend: { type: "scroll", top: 0 } };

  var indicators = document.getElementById("indicators-data");
  if (indicators) {
    var data = JSON.parse(indicators.textContent);
    var received = chartOn("chart-received");
    if (received) {
      received.setOption(Object.assign({}, base, {
        grid: { left: 48, right: 16, top: 40, bottom: 60 },
        xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 5 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: data.names.received, type: "bar", data: data.received },
          { name: data.names.previous, type: "bar", data: data.previous }
        ]
      }));
      drillOn(received, data.drill);
    }
    var rates = chartOn("chart-rates");
    if (rates) {
      rates.setOption(Object.assign({}, base, {
        grid: { left: 48, right: 16, top: 40, bottom: 60 },
        xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 5 ? 30 : 0 } },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        series: [
          { name: data.names.on_time, type: "bar", data: data.on_time.map(percent) },
          { name: data.names.satisfaction, type: "bar", data: data.satisfaction.map(percent) }
        ]
      }));
      drillOn(rates, data.drill);
    }
  }

  var analysis = document.getElementById("analysis-data");
  if (analysis) {
    var a = JSON.parse(analysis.textContent);
    var pareto = chartOn("chart-pareto");
    if (pareto) {
      pareto.setOption(Object.assign({}, base, {
        grid: { left: 48, right: 48, top: 40, bottom: 70 },
        xAxis: { type: "category", data: a.pareto.labels, axisLabel: { interval: 0, rotate: 30 } },
        yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
        series: [
          { name: a.names.count, type: "bar", data: a.pareto.counts },
          { name: a.names.cumulative, type: "line", yAxisIndex: 1, data: a.pareto.cumulative.map(percent) }
        ]
      }));
      drillOn(pareto, a.pareto.drill);
    }
    var trend = chartOn("chart-trend");
    if (trend) {
      trend.setOption(Object.assign({}, base, {
        grid: { left: 48, right: 16, top: 40, bottom: 40 },
        xAxis: { type: "category", data: a.trend.months },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: a.names.received, type: "line", data: a.trend.received },
          { name: a.names.closed, type: "line", data: a.trend.closed }
        ]
      }));
    }
    var departments = a.departments.counts.length ? chartOn("chart-departments") : null;
    if (departments) {
      departments.setOption({
        animation: false,
        tooltip: { trigger: "item", renderMode: "richText" },
        series: [{ type: "pie", radius: "65%", data: a.departments.labels.map(function (label, i) {
          return { name: label, value: a.departments.counts[i] };
        }) }]
      });
    }
  }
})();
