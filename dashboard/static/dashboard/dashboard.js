/* Charts of the leadership dashboard (领导看板): progressive enhancement over the HTML tables, which
   hold the same numbers and links. ECharts is vendored (static/dashboard/vendor), Chinese locale. */
(function () {
  "use strict";
  var source = document.getElementById("dash-chart-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var COLORS = { red: "#cf222e", yellow: "#bf8700", green: "#1a7f37" };
  var charts = [];
  // A phone (390 px): labels are laid out so that none overlaps another (a browser test checks).
  var NARROW = 480;

  function narrow(id) {
    var el = document.getElementById(id);
    return Boolean(el) && el.clientWidth < NARROW;
  }

  // One category per 28 px: a chart with many categories grows instead of overlapping its labels.
  function fitHeight(id, count) {
    var el = document.getElementById(id);
    if (el) { el.style.height = Math.max(el.clientHeight, 28 * count + 60) + "px"; }
  }

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

  var small = narrow("chart-lights");
  chart("chart-lights", {
    tooltip: { trigger: "item", formatter: "{b}：{c}项（{d}%）" },
    legend: { bottom: 0 },
    series: [{
      type: "pie", radius: ["40%", "68%"], center: ["50%", "45%"], avoidLabelOverlap: true,
      // On a phone the names are in the legend and the numbers inside the ring; empty slices unlabelled.
      label: small ? { position: "inside", formatter: function (p) { return p.value ? String(p.value) : ""; } } : { formatter: "{b}\n{c}项" },
      labelLayout: { hideOverlap: true },
      data: data.lights.map(function (l) { return { name: l.name, value: l.value, itemStyle: { color: COLORS[l.key] } }; })
    }]
  }, byIndex(data.lights));

  var statusNames = data.statuses.map(function (s) { return s.name; });
  var statusAxis = { type: "category", data: statusNames, axisLabel: { interval: 0 } };
  var countAxis = { type: "value", minInterval: 1 };
  if (narrow("chart-status")) {
    // Horizontal bars on a phone: one label per line, never side by side.
    fitHeight("chart-status", statusNames.length);
    statusAxis.inverse = true;
  }
  var statusHorizontal = narrow("chart-status");
  chart("chart-status", {
    tooltip: { trigger: "axis" },
    grid: { left: 10, right: 20, top: 10, bottom: 10, containLabel: true },
    xAxis: statusHorizontal ? countAxis : statusAxis,
    yAxis: statusHorizontal ? statusAxis : countAxis,
    series: [{ type: "bar", name: "任务数", data: data.statuses.map(function (s) { return s.value; }), itemStyle: { color: "#0969da" } }]
  }, byIndex(data.statuses));

  if (data.chapters.length) {
    fitHeight("chart-chapters", data.chapters.length);
    var chapterChars = narrow("chart-chapters") ? 8 : 12;
    chart("chart-chapters", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
      grid: { left: 10, right: 30, top: 10, bottom: 10, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: data.chapters.map(function (c) { return c.name.length > chapterChars ? c.name.slice(0, chapterChars) + "…" : c.name; }), axisLabel: { interval: 0 } },
      series: [{ type: "bar", name: "完成率", data: data.chapters.map(function (c) { return c.rate; }), itemStyle: { color: "#1a7f37" }, label: { show: true, position: "right", formatter: "{c}%" } }]
    }, byIndex(data.chapters));
  }

  if (data.trend.length) {
    // Slanted period names on a phone when there are more than fit side by side.
    var slant = narrow("chart-trend") && data.trend.length > 3;
    chart("chart-trend", {
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 10, right: 10, top: 20, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: data.trend.map(function (p) { return p.name; }), axisLabel: { interval: 0, rotate: slant ? 50 : 0, hideOverlap: true } },
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
