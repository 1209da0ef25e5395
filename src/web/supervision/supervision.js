/*
 * 保学 Baoxue supervision page (/supervision): progress toward the July deadline, weekly reporting,
 * key regions, the junior-secondary stage and schools, as ECharts charts and an .xlsx export
 * (ExcelJS), from `statistics`, `statisticsSeries` and `weeklyReporting` with the reader's own token
 * (in the Authorization header, never in a URL). An analyst's figures come back suppressed and
 * rounded: shown as “<5” (抑制) here and in the export. Settings: #sv-settings (JSON).
 */
(function () {
  'use strict';

  var settings = JSON.parse(document.getElementById('sv-settings').textContent);
  var TOKEN_KEY = 'baoxue:supervision:token';
  var ROLE_NAMES = { clerk: '录入员', liaison: '联络员', analyst: '分析员', expert: '专家', supervisor: '督导' };
  var STAGES = { PRIMARY: '小学', JUNIOR_SECONDARY: '初中', UNKNOWN: '未知' };
  var state = { token: null, data: null, charts: [] };

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === 'className') node.className = attrs[k]; else node.setAttribute(k, attrs[k]); });
    for (var i = 2; i < arguments.length; i++) if (arguments[i] !== null && arguments[i] !== undefined) node.appendChild(typeof arguments[i] === 'object' ? arguments[i] : document.createTextNode(String(arguments[i])));
    return node;
  }
  function regionName(code) { return settings.regions[code] || code; }
  /** A shown value: the number, or “<5” where it was suppressed. */
  function shown(v) { return v.suppressed ? '<5' : v.value; }

  function gql(query, variables) {
    return fetch(settings.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', Authorization: 'Bearer ' + state.token },
      body: JSON.stringify({ query: query, variables: variables || {} }),
    }).then(function (r) { return r.json(); }).then(function (body) {
      if (body.errors && body.errors.length) throw new Error(String(body.errors[0].message).replace(/\s*\([^()]*\)\s*$/, ''));
      return body.data;
    });
  }

  var TABLE = 'cells { key values { measure value suppressed } } totals { key values { measure value suppressed } }';
  var MEASURES = '(measures: [OPEN_DROPOUT_CASES, OVERDUE_CASES, RETURNED], groupBy: ';
  // One request each: the query-cost limit counts every possible cell of every table.
  var QUERIES = {
    me: 'query Me { me { sub dept roles region { code name } } }',
    burndown: 'query Burndown($from: String!, $to: String!) { burndown: statisticsSeries(measure: OPEN_DROPOUT_CASES, from: $from, to: $to) { asOf disclosure totals { key values { value suppressed } } } }',
    counties: 'query Counties { counties: statistics' + MEASURES + '[COUNTY]) { disclosure threshold ' + TABLE + ' } }',
    key: 'query KeyRegions { key: statistics' + MEASURES + '[KEY_REGION]) { ' + TABLE + ' } }',
    stage: 'query Stages { stage: statistics' + MEASURES + '[STAGE]) { ' + TABLE + ' } }',
    schools: 'query Schools { schools: statistics' + MEASURES + '[SCHOOL]) { ' + TABLE + ' } }',
    reporting: 'query Reporting { reporting: weeklyReporting(weeks: 8) { region { code name } keyRegion onTime late missing weeks { isoWeek status submittedAt } } }',
  };

  /** The school year's months so far: September (of this school year) to this month. */
  function months() {
    var y = Number(settings.today.slice(0, 4));
    var from = settings.today.slice(5) >= '09-01' ? y + '-09' : (y - 1) + '-09';
    return { from: from, to: settings.today.slice(0, 7) };
  }

  function signIn(token) {
    state.token = token;
    $('sv-error').textContent = '';
    var m = months();
    var names = Object.keys(QUERIES);
    return Promise.all(names.map(function (n) { return gql(QUERIES[n], n === 'burndown' ? m : {}); })).then(function (answers) {
      var data = {};
      answers.forEach(function (a) { Object.assign(data, a); });
      try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* private mode */ }
      state.data = data;
      var me = data.me;
      $('sv-who-text').textContent = me.region.name + ' · ' + me.roles.map(function (r) { return ROLE_NAMES[r] || r; }).join('、') + '（' + me.sub + '）';
      $('sv-who').hidden = false;
      $('sv-signin').hidden = true;
      $('sv-app').hidden = false;
      render(data);
    }).catch(function (error) {
      state.token = null;
      $('sv-error').textContent = '无法加载：' + error.message;
    });
  }

  function signOut() {
    state.token = null;
    state.data = null;
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing stored */ }
    state.charts.forEach(function (c) { c.dispose(); });
    state.charts = [];
    $('sv-who').hidden = true;
    $('sv-app').hidden = true;
    $('sv-signin').hidden = false;
    $('sv-token').value = '';
  }

  function chart(id, option) {
    var c = echarts.init($(id), null, { renderer: 'canvas' });
    c.setOption(Object.assign({ animation: false, textStyle: { fontFamily: 'sans-serif' } }, option));
    state.charts.push(c);
    $(id).setAttribute('data-ready', 'true');
    return c;
  }

  /** Rows of a one-dimension table, each with the shown values; the grand total separately. */
  function rows(table) {
    return {
      cells: table.cells.map(function (c) { return { key: c.key[0], values: c.values }; }),
      total: (table.totals.filter(function (t) { return t.key.every(function (k) { return k === null; }); })[0] || { values: [] }).values,
    };
  }
  var num = function (v) { return v && !v.suppressed ? v.value : null; };

  function render(data) {
    var analyst = data.counties.disclosure !== 'EXACT';
    $('sv-disclosure').textContent = analyst
      ? '披露控制：1 至 ' + (data.counties.threshold - 1) + ' 的数字显示为 “<5”（抑制），其余数字已随机舍入到 ' + data.counties.threshold + ' 的倍数；不能由合计推算被抑制的数字。'
      : '精确数字（督导）。';
    var counties = rows(data.counties);
    var total = counties.total;
    var daysLeft = Math.round((Date.parse(settings.deadline) - Date.parse(settings.today)) / 86400000);
    var kpis = $('sv-kpis');
    while (kpis.firstChild) kpis.removeChild(kpis.firstChild);
    [['未结个案', total[0]], ['逾期未结', total[1]], ['已劝返复学', total[2]], ['距七月底期限（天）', { value: daysLeft, suppressed: false }]].forEach(function (k) {
      kpis.appendChild(el('div', { className: 'sv-kpi', 'data-kpi': k[0] }, el('span', null, k[0]), el('strong', null, k[1] ? shown(k[1]) : '—')));
    });

    // Burn-down: open cases at each month end, against a straight line from the peak so far to
    // zero on the deadline (the pace that meets it).
    var b = data.burndown;
    var days = b.asOf.concat([settings.deadline]);
    var actual = (b.totals[0] ? b.totals[0].values.map(num) : []).concat([null]);
    var peak = 0;
    actual.forEach(function (v, i) { if (v !== null && v >= (actual[peak] || 0)) peak = i; });
    var t0 = Date.parse(days[peak]);
    var span = Date.parse(settings.deadline) - t0;
    chart('sv-burndown', {
      tooltip: { trigger: 'axis' }, legend: { data: ['实际未结', '按期应余'] },
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value', name: '个案（人）' },
      series: [
        { name: '实际未结', type: 'line', data: actual, label: { show: true } },
        { name: '按期应余', type: 'line', lineStyle: { type: 'dashed' }, data: days.map(function (d, i) {
          return i < peak ? null : Math.max(0, Math.round((actual[peak] || 0) * (1 - (Date.parse(d) - t0) / span)));
        }) },
      ],
    });

    var cNames = counties.cells.map(function (c) { return regionName(c.key); });
    chart('sv-counties', {
      tooltip: { trigger: 'axis' }, legend: { data: ['未结', '逾期', '已返校'] },
      grid: { left: 60, right: 20, bottom: 80 },
      xAxis: { type: 'category', data: cNames, axisLabel: { rotate: 40 } }, yAxis: { type: 'value' },
      series: ['未结', '逾期', '已返校'].map(function (name, i) { return { name: name, type: 'bar', data: counties.cells.map(function (c) { return num(c.values[i]); }) }; }),
    });

    var rep = data.reporting;
    chart('sv-reporting', {
      tooltip: { trigger: 'axis' }, legend: { data: ['按时', '迟报', '未报'] },
      grid: { left: 60, right: 20, bottom: 80 },
      xAxis: { type: 'category', data: rep.map(function (r) { return r.region.name + (r.keyRegion ? '★' : ''); }), axisLabel: { rotate: 40 } },
      yAxis: { type: 'value', name: '周数', max: 8 },
      series: [['按时', 'onTime', '#16a34a'], ['迟报', 'late', '#f59e0b'], ['未报', 'missing', '#dc2626']].map(function (s) {
        return { name: s[0], type: 'bar', stack: 'weeks', itemStyle: { color: s[2] }, data: rep.map(function (r) { return r[s[1]]; }) };
      }),
    });

    var bars = function (id, table, label) {
      var r = rows(table);
      chart(id, {
        tooltip: { trigger: 'axis' }, legend: { data: ['未结', '逾期', '已返校'] },
        xAxis: { type: 'category', data: r.cells.map(function (c) { return label(c.key); }) }, yAxis: { type: 'value' },
        series: ['未结', '逾期', '已返校'].map(function (name, i) { return { name: name, type: 'bar', label: { show: true, position: 'top' }, data: r.cells.map(function (c) { return num(c.values[i]); }) }; }),
      });
    };
    bars('sv-key', data.key, function (k) { return k === 'KEY' ? '重点监测地区' : '其他地区'; });
    bars('sv-stage', data.stage, function (k) { return STAGES[k] || k; });

    var box = $('sv-schools');
    while (box.firstChild) box.removeChild(box.firstChild);
    var head = el('tr', null, el('th', null, '学校'), el('th', null, '未结'), el('th', null, '逾期'), el('th', null, '已返校'));
    var body = el('tbody');
    rows(data.schools).cells.forEach(function (c) {
      body.appendChild(el('tr', null, el('td', null, c.key === 'UNKNOWN' ? '（无学籍学校）' : c.key), el('td', null, shown(c.values[0])), el('td', null, shown(c.values[1])), el('td', null, shown(c.values[2]))));
    });
    box.appendChild(el('table', null, el('thead', null, head), body));
  }

  /** The workbook of what the page shows (suppressed values as “<5”). */
  function exportXlsx() {
    var data = state.data;
    var book = new ExcelJS.Workbook();
    var sheet = function (name, header, list) {
      var s = book.addWorksheet(name);
      s.addRow(header).font = { bold: true };
      list.forEach(function (r) { s.addRow(r); });
      s.columns.forEach(function (col) { col.width = 16; });
    };
    var threeMeasures = function (table, label) {
      var r = rows(table);
      return r.cells.map(function (c) { return [label(c.key)].concat(c.values.map(shown)); }).concat([['合计'].concat(r.total.map(shown))]);
    };
    sheet('县区进度', ['县（市、区）', '未结个案', '逾期未结', '已劝返复学'], threeMeasures(data.counties, regionName));
    sheet('燃尽', ['月末', '未结个案'], data.burndown.asOf.map(function (d, i) { return [d, data.burndown.totals[0] ? shown(data.burndown.totals[0].values[i]) : 0]; }));
    sheet('周报报送', ['县（市、区）', '重点监测地区', '按时', '迟报', '未报'].concat(data.reporting[0] ? data.reporting[0].weeks.map(function (w) { return w.isoWeek; }) : []),
      data.reporting.map(function (r) {
        return [r.region.name, r.keyRegion ? '是' : '否', r.onTime, r.late, r.missing].concat(r.weeks.map(function (w) { return { ON_TIME: '按时', LATE: '迟报', MISSING: '未报' }[w.status]; }));
      }));
    sheet('重点监测地区', ['地区', '未结个案', '逾期未结', '已劝返复学'], threeMeasures(data.key, function (k) { return k === 'KEY' ? '重点监测地区' : '其他地区'; }));
    sheet('学段', ['学段', '未结个案', '逾期未结', '已劝返复学'], threeMeasures(data.stage, function (k) { return STAGES[k] || k; }));
    sheet('学校', ['学校', '未结个案', '逾期未结', '已劝返复学'], threeMeasures(data.schools, function (k) { return k === 'UNKNOWN' ? '（无学籍学校）' : k; }));
    sheet('说明', ['项目', '内容'], [['数据日期', settings.today], ['披露控制', data.counties.disclosure === 'EXACT' ? '精确数字' : '小单元格抑制（显示为 <5）与随机舍入'], ['七月底期限', settings.deadline]]);
    return book.xlsx.writeBuffer().then(function (buffer) {
      var url = URL.createObjectURL(new Blob([buffer], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }));
      var a = el('a', { href: url, download: '控辍保学督导-' + settings.today + '.xlsx' });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    });
  }

  function loadDemoIdentities() {
    var select = $('sv-demo');
    if (!select || !settings.demoTokensUrl) return;
    fetch(settings.demoTokensUrl).then(function (r) { return r.json(); }).then(function (list) {
      while (select.firstChild) select.removeChild(select.firstChild);
      list.filter(function (d) { return d.roles.indexOf('supervisor') >= 0 || d.roles.indexOf('analyst') >= 0; }).forEach(function (d) {
        var option = el('option', { value: d.sub }, d.label.replace(/\s*\(.*\)$/, ''));
        option.dataset.token = d.token;
        select.appendChild(option);
      });
      select.disabled = false;
      $('sv-demo-go').disabled = false;
    });
  }

  $('sv-token-form').addEventListener('submit', function (e) { e.preventDefault(); signIn($('sv-token').value.trim()); });
  $('sv-signout').addEventListener('click', signOut);
  $('sv-export').addEventListener('click', function () { exportXlsx(); });
  if ($('sv-demo-go')) $('sv-demo-go').addEventListener('click', function () { var o = $('sv-demo').selectedOptions[0]; if (o && o.dataset.token) signIn(o.dataset.token); });
  window.addEventListener('resize', function () { state.charts.forEach(function (c) { c.resize(); }); });
  loadDemoIdentities();
  var kept = null;
  try { kept = sessionStorage.getItem(TOKEN_KEY); } catch (e) { /* none */ }
  if (kept) signIn(kept);
})();
