/* Charts of the leadership dashboard (领导看板): progressive enhancement over the HTML tables, which
   hold the same numbers and links. ECharts is vendored (static/dashboard/vendor), Chinese locale. */
(function () {
  "use strict";
  var source = document.getElementById("dash-chart-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var COLORS = { red: "#cf222e", yellow: "#bf8700", green: "#1a7f37" };
  var charts = [];

  function chart(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var instance = window.echarts.init(el, null, { locale: "ZH", renderer: "svg" });
    option.animation = false;
    instance.setOption(option);
    if (onClick) {
      instance.on("click", function (params) {
        var url = onClick(params);
        if (url) { window.location.href = url; }
      });
    }
    charts.push(instance);
  }

  function byIndex(items) {
    return function (params) { var item = items[params.dataIndex]; return item && item.url; };
  }

  chart("chart-lights", {
    tooltip: { trigger: "item", formatter: "{b}：{c}项（{d}%）" },
    legend: { bottom: 0 },
    series: [{
      type: "pie", radius: ["40%", "68%"], center: ["50%", "45%"],
      label: { formatter: "{b}\n{c}项" },
      data: data.lights.map(function (l) { return { name: l.name, value: l.value, itemStyle: { color: COLORS[l.key] } }; })
    }]
  }, byIndex(data.lights));

  chart("chart-status", {
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 10, top: 10, bottom: 30, containLabel: true },
    xAxis: { type: "category", data: data.statuses.map(function (s) { return s.name; }), axisLabel: { interval: 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", name: "任务数", data: data.statuses.map(function (s) { return s.value; }), itemStyle: { color: "#0969da" } }]
  }, byIndex(data.statuses));

  if (data.chapters.length) {
    chart("chart-chapters", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
      grid: { left: 10, right: 30, top: 10, bottom: 10, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: data.chapters.map(function (c) { return c.name.length > 12 ? c.name.slice(0, 12) + "…" : c.name; }) },
      series: [{ type: "bar", name: "完成率", data: data.chapters.map(function (c) { return c.rate; }), itemStyle: { color: "#1a7f37" }, label: { show: true, position: "right", formatter: "{c}%" } }]
    }, byIndex(data.chapters));
  }

  if (data.trend.length) {
    chart("chart-trend", {
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 10, right: 10, top: 20, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: data.trend.map(function (p) { return p.name; }) },
      yAxis: [{ type: "value", max: 100, axisLabel: { formatter: "{value}%" } }, { type: "value", minInterval: 1 }],
      series: [
        { type: "line", name: "完成率", data: data.trend.map(function (p) { return p.completion_rate; }) },
        { type: "line", name: "报送率", data: data.trend.map(function (p) { return p.submitted_rate; }) },
        { type: "bar", name: "红灯", yAxisIndex: 1, data: data.trend.map(function (p) { return p.red; }), itemStyle: { color: COLORS.red } },
        { type: "bar", name: "黄灯", yAxisIndex: 1, data: data.trend.map(function (p) { return p.yellow; }), itemStyle: { color: COLORS.yellow } }
      ]
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.documentElement.setAttribute("data-charts", String(charts.length));
}());
