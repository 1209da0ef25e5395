/*
 * 保学 Baoxue liaison page: sign in, list my department's monthly exchange notices, read one
 * (summary, then entries with filter and paging), acknowledge it (签收), download it, print it.
 * Plain browser script, no build step. It talks to /graphql and /notices/<id>/… of its own origin
 * only, always with the token in the Authorization header (downloads go through fetch and a blob,
 * so the token never appears in a URL). Settings: #lx-settings (JSON).
 */
(function () {
  'use strict';

  var settings = JSON.parse(document.getElementById('lx-settings').textContent);
  var labels = settings.labels;
  var TOKEN_KEY = 'baoxue:liaison:token';
  var LIST_LIMIT = 500;
  var PAGE_SIZES = [20, 50, 100];
  var ROLE_NAMES = { clerk: '录入员', liaison: '联络员', analyst: '分析员', expert: '专家', supervisor: '督导' };

  var state = { token: null, me: null, notices: [], currentId: null, view: null };

  // ---- small helpers ----------------------------------------------------------------------------

  function $(id) { return document.getElementById(id); }

  /** Builds an element; text children are text nodes, never HTML. */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === 'className') node.className = value;
      else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : value);
    });
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { append(node, c); });
    else node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  /** The Chinese half of a bilingual label (`家庭贫困 family poverty` → `家庭贫困`). */
  function zh(text) { return String(text).replace(/\s+[A-Za-z][A-Za-z0-9 ,.'()\/-]*$/, ''); }

  var timeFormat = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  /** The time as the exports write it: China Standard Time, `2026-10-15 09:30:12`. */
  function chinaTime(iso) {
    var parts = {};
    timeFormat.formatToParts(new Date(iso)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + '-' + parts.month + '-' + parts.day + ' ' + parts.hour + ':' + parts.minute + ':' + parts.second;
  }
  function periodLabel(period) { return period.slice(0, 4) + '年' + Number(period.slice(5)) + '月'; }
  function deptName(dept) { return labels.depts[dept] || dept; }
  function regionName(code) { return labels.regions[code] || code; }
  function chainName(chain) { return chain === 'global' ? '全省旧链 global' : (labels.regions[chain] ? labels.regions[chain] + '（' + chain + '）' : chain); }

  /** A before/after value (JSON text) worded as the exports word it: 是/否, Chinese enum labels, region names. */
  function displayValue(entity, field, json) {
    if (json === null || json === undefined) return '';
    var value;
    try { value = JSON.parse(json); } catch (e) { return json; }
    var key = entity + '.' + field;
    if (value === null) return '';
    if (typeof value === 'boolean') return value ? '是' : '否';
    if (typeof value === 'number') return String(value);
    if (typeof value === 'string') {
      if (labels.regionFields.indexOf(key) >= 0) return labels.regions[value] ? labels.regions[value] + '（' + value + '）' : value;
      var enumLabels = labels.values[key];
      return (enumLabels && enumLabels[value]) || value;
    }
    return json;
  }

  function status(notice) {
    if (notice.acknowledgedAt) return { key: 'done', text: '已签收' };
    if (notice.overdue) return { key: 'overdue', text: '逾期' };
    return { key: 'pending', text: '未签收' };
  }
  function badge(notice) { var s = status(notice); return el('span', { className: 'lx-badge lx-badge-' + s.key }, s.text); }

  var toastTimer = null;
  function toast(text, isError) {
    var node = $('lx-toast');
    node.textContent = text;
    node.className = 'lx-toast' + (isError ? ' lx-toast-error' : '');
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { node.hidden = true; }, isError ? 8000 : 4000);
  }

  // ---- talking to the hub -------------------------------------------------------------------------

  function HubError(code, message) { this.code = code; this.message = message; }

  /** What a person should read for an error: Chinese first, the server's words after. */
  function explain(error) {
    var code = error && error.code;
    var detail = error && error.message ? String(error.message).replace(/\s*\([^()]*\)\s*$/, '') : '';
    if (code === 'UNAUTHENTICATED') return '登录已失效或令牌无效，请重新登录。';
    if (code === 'FORBIDDEN') return '无权进行此操作。' + (detail ? ' ' + detail : '');
    if (code === 'NOT_FOUND') return '未找到该通报，或您无权查看。';
    if (code === 'CONFLICT') return detail || '该通报已被签收。';
    if (code === 'BAD_USER_INPUT') return '输入有误：' + detail;
    if (code === 'NETWORK') return '无法连接服务器，请检查网络后重试。';
    return '出错了：' + (detail || '请稍后重试');
  }

  function authHeaders(extra) {
    var headers = Object.assign({}, extra);
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    return headers;
  }

  function gql(query, variables) {
    return fetch(settings.endpoint, {
      method: 'POST',
      headers: authHeaders({ 'content-type': 'application/json', accept: 'application/json' }),
      body: JSON.stringify({ query: query, variables: variables || {} }),
    }).then(function (response) {
      return response.json().catch(function () { throw new HubError('INTERNAL', '服务器返回了无法识别的内容'); });
    }, function () {
      throw new HubError('NETWORK', '');
    }).then(function (body) {
      if (body.errors && body.errors.length) {
        var first = body.errors[0];
        var error = new HubError((first.extensions && first.extensions.code) || 'INTERNAL', first.message);
        if (error.code === 'UNAUTHENTICATED') signOut(explain(error));
        throw error;
      }
      return body.data;
    });
  }

  // ---- signing in -----------------------------------------------------------------------------------

  var ME = 'query Me { me { sub dept deptName roles region { code name } } }';

  function signIn(token) {
    state.token = token;
    $('lx-signin-error').textContent = '';
    return gql(ME).then(function (data) {
      state.me = data.me;
      try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* private mode: sign in again next time */ }
      var me = data.me;
      var roles = me.roles.map(function (r) { return ROLE_NAMES[r] || r; }).join('、');
      $('lx-who-text').textContent = me.region.name + ' · ' + deptName(me.dept) + ' · ' + roles + '（' + me.sub + '）';
      $('lx-who').hidden = false;
      $('lx-signin').hidden = true;
      $('lx-tabs').hidden = false;
      showTab('notices');
      state.currentId = null;
      showPlaceholder('请在左侧选择一份通报');
      return loadList();
    }).catch(function (error) {
      state.token = null;
      $('lx-signin-error').textContent = explain(error);
    });
  }

  function signOut(message) {
    state.token = null;
    state.me = null;
    state.notices = [];
    state.currentId = null;
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing stored */ }
    $('lx-who').hidden = true;
    $('lx-app').hidden = true;
    $('lx-recon').hidden = true;
    $('lx-tabs').hidden = true;
    clear(document.querySelector('#lx-recon-items tbody'));
    $('lx-signin').hidden = false;
    clear($('lx-notices'));
    $('lx-list-note').textContent = '';
    $('lx-token').value = '';
    $('lx-signin-error').textContent = message || '';
    $('lx-toast').hidden = true;
  }

  function loadDemoIdentities() {
    var select = $('lx-demo');
    if (!select || !settings.demoTokensUrl) return;
    fetch(settings.demoTokensUrl).then(function (r) { return r.json(); }).then(function (list) {
      clear(select);
      // Only those who read notices: liaisons and supervisors.
      list.filter(function (d) { return d.roles.indexOf('liaison') >= 0 || d.roles.indexOf('supervisor') >= 0; }).forEach(function (d) {
        var option = el('option', { value: d.sub }, d.label.replace(/\s*\(.*\)$/, ''));
        option.dataset.token = d.token;
        select.appendChild(option);
      });
      select.disabled = false;
      $('lx-demo-go').disabled = false;
    }).catch(function () {
      clear(select);
      select.appendChild(el('option', { value: '' }, '演示身份加载失败'));
    });
  }

  // ---- the list -------------------------------------------------------------------------------------

  var LIST = 'query Notices($filter: ExchangeNoticeFilter, $after: String) { exchangeNotices(filter: $filter, first: 100, after: $after) {' +
    ' nodes { id number period dept region { code name } acknowledgedAt overdue summary { entries } } pageInfo { hasNextPage endCursor } } }';

  /** The last 24 months, newest first: notices are issued monthly, older ones stay under 全部月份. */
  function fillPeriods() {
    var select = $('lx-period');
    var now = new Date();
    var year = now.getFullYear();
    var month = now.getMonth() + 1;
    for (var i = 0; i < 24; i++) {
      var period = year + '-' + (month < 10 ? '0' : '') + month;
      select.appendChild(el('option', { value: period }, periodLabel(period)));
      month -= 1;
      if (month === 0) { month = 12; year -= 1; }
    }
  }

  function listFilter() {
    var filter = {};
    var period = $('lx-period').value;
    if (period) filter.period = period;
    var wanted = $('lx-status').value;
    if (wanted === 'pending') filter.acknowledged = false;
    if (wanted === 'done') filter.acknowledged = true;
    if (wanted === 'overdue') filter.overdue = true;
    return filter;
  }

  function loadList() {
    var list = $('lx-notices');
    var note = $('lx-list-note');
    note.textContent = '正在加载…';
    var found = [];
    var filter = listFilter();
    function page(after) {
      return gql(LIST, { filter: filter, after: after }).then(function (data) {
        var connection = data.exchangeNotices;
        found = found.concat(connection.nodes);
        if (connection.pageInfo.hasNextPage && found.length < LIST_LIMIT) return page(connection.pageInfo.endCursor);
        return connection.pageInfo.hasNextPage;
      });
    }
    return page(null).then(function (more) {
      // Newest month first; within a month by region, then department.
      found.sort(function (a, b) {
        if (a.period !== b.period) return a.period < b.period ? 1 : -1;
        return a.number < b.number ? -1 : 1;
      });
      state.notices = found;
      note.textContent = found.length === 0
        ? '没有符合条件的通报。每月初发布上月通报后会出现在这里。'
        : '共 ' + found.length + ' 份通报' + (more ? '（仅显示前 ' + found.length + ' 份，请选择月份缩小范围）' : '');
      renderList();
    }).catch(function (error) {
      clear(list);
      note.textContent = explain(error);
    });
  }

  function renderList() {
    var list = $('lx-notices');
    clear(list);
    var period = null;
    state.notices.forEach(function (n) {
      if (n.period !== period) {
        period = n.period;
        list.appendChild(el('li', { className: 'lx-period-head' }, periodLabel(period)));
      }
      var card = el('button', {
        type: 'button', className: 'lx-card', 'data-id': n.id, 'data-number': n.number,
        'aria-current': n.id === state.currentId ? 'true' : 'false',
        onclick: function () { openNotice(n.id); },
      },
      el('div', { className: 'lx-card-top' }, el('span', { className: 'lx-card-title' }, n.region.name + ' · ' + deptName(n.dept)), badge(n)),
      el('div', { className: 'lx-card-sub' }, n.number + ' · ' + (n.summary.entries ? n.summary.entries + ' 条变更' : '无变更')));
      list.appendChild(el('li', null, card));
    });
  }

  // ---- one notice -----------------------------------------------------------------------------------

  var NOTICE = 'query Notice($id: ID!) { exchangeNotice(id: $id) { id number period dept region { code name } chainRanges { chain fromSeq toSeq } chainHeadHash contentHash' +
    ' issuedAt acknowledgedAt acknowledgedBy remarks overdue' +
    ' summary { entries newChildren returnsToSchool specialGroupStatusChanges byEntityAndOperation { key label count } newDropoutCases { key label count } closuresByReason { key label count } discrepancies { new resolved explained overdue } actions { opened closed overdue } } } }';
  var VERIFY = 'query Verify($id: ID!) { exchangeNotice(id: $id) { verification { contentHashOk chainHeadOk } } }';
  var ENTRIES = 'query Entries($id: ID!, $first: Int!, $after: String) { exchangeNotice(id: $id) { entries(first: $first, after: $after) {' +
    ' nodes { chain seq at actorDept entity entityLabel operation childId changes { field label before after } }' +
    ' children { id name hukouRegion { code } residenceRegion { code } schoolName } pageInfo { hasNextPage endCursor } } } }';
  var ACK = 'mutation Ack($id: ID!, $remarks: String) { acknowledgeNotice(id: $id, remarks: $remarks) { id acknowledgedAt acknowledgedBy remarks overdue } }';

  function showPlaceholder(text) {
    var detail = $('lx-detail');
    clear(detail);
    detail.appendChild(el('div', { className: 'lx-placeholder' }, text));
  }

  function openNotice(id) {
    state.currentId = id;
    Array.prototype.forEach.call(document.querySelectorAll('.lx-card'), function (card) {
      card.setAttribute('aria-current', card.getAttribute('data-id') === id ? 'true' : 'false');
    });
    showPlaceholder('正在打开通报…');
    return gql(NOTICE, { id: id }).then(function (data) {
      if (state.currentId !== id) return;
      state.view = { notice: data.exchangeNotice, pageSize: 50, cursors: [null], page: 0, nodes: [], children: {}, hasNext: false, filter: '' };
      renderNotice();
      loadEntries();
      gql(VERIFY, { id: id }).then(function (v) { showVerification(v.exchangeNotice.verification); }, function () { showVerification(null); });
    }).catch(function (error) {
      showPlaceholder(explain(error));
    });
  }

  function title(n) { return n.region.name + deptName(n.dept) + ' ' + periodLabel(n.period) + '信息交换通报'; }

  function mayAcknowledge(n) {
    var me = state.me;
    return !n.acknowledgedAt && me && me.roles.indexOf('liaison') >= 0 && me.dept === n.dept && me.region.code === n.region.code;
  }

  function renderNotice() {
    var n = state.view.notice;
    var detail = $('lx-detail');
    clear(detail);
    var ackButton = mayAcknowledge(n) ? el('button', { type: 'button', id: 'lx-ack-open', className: 'lx-btn lx-primary', onclick: openAckPanel }, '签收') : null;
    detail.appendChild(el('div', { className: 'lx-head' },
      el('div', null,
        el('h2', null, title(n)),
        el('div', { className: 'lx-number' }, el('span', { className: 'lx-mono' }, n.number), badge(n))),
      el('div', { className: 'lx-actions' },
        ackButton,
        el('button', { type: 'button', id: 'lx-download-xlsx', className: 'lx-btn', onclick: function () { download(n, 'xlsx', this); } }, '下载 Excel'),
        el('button', { type: 'button', id: 'lx-download-csv', className: 'lx-btn', onclick: function () { download(n, 'csv', this); } }, '下载 CSV'),
        el('button', { type: 'button', id: 'lx-print', className: 'lx-btn', onclick: function () { printNotice(n, this); } }, '打印'))));

    if (ackButton) {
      detail.appendChild(el('form', { id: 'lx-ack-panel', className: 'lx-panel lx-ack', hidden: true, onsubmit: submitAck },
        el('label', { for: 'lx-remarks' }, '签收备注（可选，最多 500 字）'),
        el('textarea', { id: 'lx-remarks', rows: 3, maxlength: 500, placeholder: '例如：已核对，无异议；或列出发现的不一致之处' }),
        el('div', { className: 'lx-row' },
          el('button', { type: 'button', className: 'lx-btn', onclick: closeAckPanel }, '取消'),
          el('button', { type: 'submit', id: 'lx-ack-submit', className: 'lx-btn lx-primary' }, '确认签收'))));
    }
    if (n.acknowledgedAt) {
      detail.appendChild(el('div', { id: 'lx-acked', className: 'lx-panel lx-acked' },
        '已于 ' + chinaTime(n.acknowledgedAt) + ' 由 ' + (n.acknowledgedBy || '') + ' 签收。',
        n.remarks ? el('div', null, '备注：', n.remarks) : null));
    } else if (!ackButton && n.overdue) {
      detail.appendChild(el('div', { className: 'lx-panel lx-muted' }, '本通报发布已超过 10 天仍未签收。'));
    }

    detail.appendChild(renderSummary(n));
    detail.appendChild(renderFacts(n));
    detail.appendChild(el('h3', { className: 'lx-section-title' }, '变更条目', el('small', null, '接收部门按其权限所见的内容')));
    detail.appendChild(el('div', { className: 'lx-toolbar' },
      el('input', { type: 'search', id: 'lx-filter', placeholder: '在本页中筛选：姓名、学校、字段、数值、对象、儿童编号…', 'aria-label': '在本页中筛选', oninput: function () { state.view.filter = this.value; renderEntries(); } }),
      el('label', { className: 'lx-muted' }, '每页 ', el('select', { id: 'lx-page-size', onchange: function () { changePageSize(Number(this.value)); } },
        PAGE_SIZES.map(function (size) { return el('option', { value: size, selected: size === state.view.pageSize }, String(size)); })), ' 条'),
      el('div', { className: 'lx-pager' },
        el('button', { type: 'button', id: 'lx-prev', className: 'lx-btn', onclick: function () { turnPage(-1); } }, '上一页'),
        el('span', { id: 'lx-page-info', className: 'lx-muted' }),
        el('button', { type: 'button', id: 'lx-next', className: 'lx-btn', onclick: function () { turnPage(1); } }, '下一页'))));
    detail.appendChild(el('div', { className: 'lx-table-wrap' }, el('table', { className: 'lx-table', id: 'lx-entries' },
      el('thead', null, el('tr', null, [['链', 'lx-w-chain'], ['序号', 'lx-w-seq'], ['时间', 'lx-w-time'], ['操作部门', 'lx-w-dept'], ['对象', 'lx-w-entity'], ['操作', 'lx-w-op'], ['儿童', 'lx-w-child'], ['变更内容（修改前 → 修改后）', '']]
        .map(function (h) { return el('th', { scope: 'col', className: h[1] || null }, h[0]); }))),
      el('tbody', null))));
    detail.scrollTop = 0;
  }

  function renderSummary(n) {
    var s = n.summary;
    function tile(value, label) { return el('div', { className: 'lx-tile' }, el('b', null, String(value)), el('span', null, label)); }
    function table(heading, counts, empty) {
      return el('div', { className: 'lx-panel' }, el('h4', null, heading),
        counts.length
          ? el('table', { className: 'lx-kv' }, el('tbody', null, counts.map(function (c) { return el('tr', null, el('td', null, zh(c.label)), el('td', null, String(c.count))); })))
          : el('div', { className: 'lx-muted' }, empty));
    }
    var wrapper = el('section', { className: 'lx-summary', 'aria-label': '摘要' });
    wrapper.appendChild(el('h3', { className: 'lx-section-title' }, '摘要'));
    wrapper.appendChild(el('div', { className: 'lx-tiles' },
      tile(s.entries, '变更条目'),
      tile(s.newChildren, '新登记儿童'),
      tile(s.returnsToSchool, '返校'),
      tile(s.specialGroupStatusChanges === null ? '—' : s.specialGroupStatusChanges, s.specialGroupStatusChanges === null ? '特殊群体就学变动（无权知悉）' : '特殊群体儿童就学状态变动')));
    wrapper.appendChild(el('div', { className: 'lx-breakdown' },
      table('按对象和变更类型', s.byEntityAndOperation, '本期无变更'),
      table('新增辍学个案（按原因）', s.newDropoutCases, '无'),
      table('结案（按原因）', s.closuresByReason, '无'),
      s.discrepancies ? el('div', { className: 'lx-panel', id: 'lx-notice-discrepancies' }, el('h4', null, '核实比对（本期）'),
        el('table', { className: 'lx-kv' }, el('tbody', null, [['新发现', s.discrepancies.new], ['已解决', s.discrepancies.resolved], ['说明已确认', s.discrepancies.explained], ['月末逾期未整改', s.discrepancies.overdue]]
          .map(function (row) { return el('tr', null, el('td', null, row[0]), el('td', null, String(row[1]))); })))) : null,
      // 督导事项: referrals to the department they were sent to, admonitions, correction orders and interviews to education (listed in the exports).
      s.actions ? el('div', { className: 'lx-panel', id: 'lx-notice-actions' }, el('h4', null, '督导事项（本期）'),
        el('table', { className: 'lx-kv' }, el('tbody', null, [['新立', s.actions.opened], ['办结（答复）', s.actions.closed], ['逾期未办结', s.actions.overdue]]
          .map(function (row) { return el('tr', null, el('td', null, row[0]), el('td', null, String(row[1]))); })))) : null));
    return wrapper;
  }

  function renderFacts(n) {
    // As the exports word it (rangesText in src/notices/notice.rows.ts): the chains with new entries, in the notice's order.
    var covered = n.chainRanges.filter(function (r) { return r.toSeq > r.fromSeq; }).map(function (r) { return chainName(r.chain) + ' ' + (r.fromSeq + 1) + ' – ' + r.toSeq; });
    var unchanged = n.chainRanges.length - covered.length;
    var range = covered.concat(unchanged ? [covered.length ? '其余 ' + unchanged + ' 条链无新条目' : '无新条目（' + unchanged + ' 条链）'] : []).join('；');
    function fact(label, value, attrs) { return [el('dt', null, label), el('dd', attrs || null, value)]; }
    return el('section', { 'aria-label': '通报信息' },
      el('h3', { className: 'lx-section-title' }, '通报信息'),
      el('div', { className: 'lx-panel' }, el('dl', { className: 'lx-facts' },
        fact('接收部门', deptName(n.dept) + '（' + n.dept + '）'),
        fact('区划', n.region.name + '（' + n.region.code + '）'),
        fact('发布时间', chinaTime(n.issuedAt)),
        fact('链与序号范围', range),
        fact('内容哈希', n.contentHash, { className: 'lx-mono', title: n.contentHash }),
        fact('链头哈希', n.chainHeadHash || '—', { className: 'lx-mono', title: n.chainHeadHash || '' }),
        fact('校验', '正在校验…', { id: 'lx-verify' }))));
  }

  function showVerification(v) {
    var node = $('lx-verify');
    if (!node) return;
    if (!v) { node.textContent = '校验未完成'; return; }
    var ok = v.contentHashOk && v.chainHeadOk;
    node.className = ok ? 'lx-verify-ok' : 'lx-verify-bad';
    node.textContent = ok ? '✔ 内容与链头均与变更日志一致' : '✘ 校验不一致：' + (v.contentHashOk ? '' : '内容哈希 ') + (v.chainHeadOk ? '' : '链头哈希');
  }

  // ---- entries: paging through the API, filtering the page shown ------------------------------------

  function loadEntries() {
    var view = state.view;
    var id = view.notice.id;
    var tbody = document.querySelector('#lx-entries tbody');
    if (tbody) { clear(tbody); tbody.appendChild(el('tr', null, el('td', { colspan: 8, className: 'lx-nothing' }, '正在加载…'))); }
    return gql(ENTRIES, { id: id, first: view.pageSize, after: view.cursors[view.page] }).then(function (data) {
      if (state.view !== view) return;
      var page = data.exchangeNotice.entries;
      view.nodes = page.nodes;
      // The children the page's entries name, as the reader may see them now (absent: not visible).
      view.children = {};
      page.children.forEach(function (child) { view.children[child.id] = child; });
      view.hasNext = page.pageInfo.hasNextPage;
      if (view.hasNext) view.cursors[view.page + 1] = page.pageInfo.endCursor;
      renderEntries();
    }).catch(function (error) { toast(explain(error), true); });
  }

  function changePageSize(size) {
    var view = state.view;
    view.pageSize = size;
    view.cursors = [null];
    view.page = 0;
    loadEntries();
  }

  function turnPage(step) {
    var view = state.view;
    if (step > 0 && !view.hasNext) return;
    if (step < 0 && view.page === 0) return;
    view.page += step;
    loadEntries();
  }

  /** The child's name, county and school, worded as the exports word them (notice.rows.ts childCells). */
  function childCells(child) {
    if (!child) return ['', '', ''];
    var region = function (r) { return r ? labels.regions[r.code] || r.code : ''; };
    var residence = region(child.residenceRegion), hukou = region(child.hukouRegion);
    var county = residence ? (hukou && hukou !== residence ? residence + '（户籍 ' + hukou + '）' : residence) : (hukou ? '户籍 ' + hukou : '');
    return [child.name || '', county, child.schoolName || ''];
  }

  function childOf(entry) { return entry.childId ? state.view.children[entry.childId] : null; }

  function entryText(entry) {
    return [entry.chain, entry.seq, chinaTime(entry.at), deptName(entry.actorDept), entry.entityLabel, labels.operations[entry.operation], entry.childId].concat(childCells(childOf(entry)))
      .concat(entry.changes.map(function (c) { return c.label + ' ' + displayValue(entry.entity, c.field, c.before) + ' ' + displayValue(entry.entity, c.field, c.after); }))
      .join(' ').toLowerCase();
  }

  function childCell(entry) {
    var cells = childCells(childOf(entry));
    var meta = cells.slice(1).filter(Boolean).join(' · ');
    return el('td', { className: 'lx-child', title: entry.childId || '' },
      el('div', { className: 'lx-child-name' + (cells[0] ? '' : ' lx-muted') }, cells[0] || '—'),
      meta ? el('div', { className: 'lx-child-meta lx-muted' }, meta) : null,
      entry.childId ? el('div', { className: 'lx-mono lx-child-id lx-muted' }, entry.childId.slice(0, 8) + '…') : null);
  }

  function renderEntries() {
    var view = state.view;
    var tbody = document.querySelector('#lx-entries tbody');
    if (!tbody) return;
    clear(tbody);
    var words = view.filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var shown = view.nodes.filter(function (entry) {
      var text = entryText(entry);
      return words.every(function (w) { return text.indexOf(w) >= 0; });
    });
    shown.forEach(function (entry) {
      var changes = entry.changes.length
        ? el('ul', { className: 'lx-changes' + (entry.operation === 'CREATE' ? ' lx-changes-inline' : '') }, entry.changes.map(function (c) {
          var before = displayValue(entry.entity, c.field, c.before);
          var after = displayValue(entry.entity, c.field, c.after);
          return el('li', null,
            el('span', { className: 'lx-field' }, c.label),
            entry.operation === 'CREATE' && !before ? null : [el('span', { className: 'lx-before' + (before ? '' : ' lx-empty-value') }, before || '（空）'), el('span', { className: 'lx-arrow' }, '→')],
            el('span', { className: 'lx-after' + (after ? '' : ' lx-empty-value') }, after || '（空）'));
        }))
        : el('span', { className: 'lx-muted' }, '—');
      tbody.appendChild(el('tr', { 'data-chain': entry.chain, 'data-seq': entry.seq },
        el('td', { className: 'lx-num', title: chainName(entry.chain) }, entry.chain),
        el('td', { className: 'lx-num' }, String(entry.seq)),
        el('td', { className: 'lx-time' }, chinaTime(entry.at)),
        el('td', null, deptName(entry.actorDept)),
        el('td', null, entry.entityLabel),
        el('td', null, el('span', { className: 'lx-op lx-op-' + entry.operation }, labels.operations[entry.operation] || entry.operation)),
        childCell(entry),
        el('td', null, changes)));
    });
    if (!view.nodes.length) tbody.appendChild(el('tr', null, el('td', { colspan: 8, className: 'lx-nothing' }, '本期没有需要通报的变更。')));
    else if (!shown.length) tbody.appendChild(el('tr', null, el('td', { colspan: 8, className: 'lx-nothing' }, '本页没有符合筛选条件的条目。')));
    var pages = Math.max(1, Math.ceil(view.notice.summary.entries / view.pageSize));
    $('lx-page-info').textContent = '第 ' + (view.page + 1) + ' / ' + pages + ' 页' + (words.length ? '（本页 ' + view.nodes.length + ' 条中 ' + shown.length + ' 条符合）' : '');
    $('lx-prev').disabled = view.page === 0;
    $('lx-next').disabled = !view.hasNext;
  }

  // ---- acknowledging ------------------------------------------------------------------------------

  function openAckPanel() {
    $('lx-ack-panel').hidden = false;
    $('lx-ack-open').disabled = true;
    $('lx-remarks').focus();
  }
  function closeAckPanel() {
    $('lx-ack-panel').hidden = true;
    $('lx-ack-open').disabled = false;
  }

  function submitAck(event) {
    event.preventDefault();
    var view = state.view;
    var n = view.notice;
    var remarks = $('lx-remarks').value.trim();
    $('lx-ack-submit').disabled = true;
    gql(ACK, { id: n.id, remarks: remarks || null }).then(function (data) {
      Object.assign(n, data.acknowledgeNotice);
      state.notices.forEach(function (item) { if (item.id === n.id) Object.assign(item, data.acknowledgeNotice); });
      renderList();
      var filter = view.filter;
      renderNotice();
      $('lx-filter').value = filter;
      renderEntries();
      showVerificationAgain(n.id);
      toast('已签收通报 ' + n.number);
    }).catch(function (error) {
      $('lx-ack-submit').disabled = false;
      toast(explain(error), true);
    });
  }
  function showVerificationAgain(id) {
    gql(VERIFY, { id: id }).then(function (v) { showVerification(v.exchangeNotice.verification); }, function () { showVerification(null); });
  }

  // ---- downloads and printing: fetch with the token, never a URL that carries it -----------------------

  function fetchExport(n, route) {
    return fetch('/notices/' + encodeURIComponent(n.id) + '/' + route, { headers: authHeaders() }).then(function (response) {
      if (response.ok) return response;
      return response.json().catch(function () { return {}; }).then(function (body) {
        var first = (body.errors || [])[0] || {};
        var error = new HubError((first.extensions && first.extensions.code) || 'INTERNAL', first.message);
        if (error.code === 'UNAUTHENTICATED') signOut(explain(error));
        throw error;
      });
    }, function () { throw new HubError('NETWORK', ''); });
  }

  function fileName(response, fallback) {
    var header = response.headers.get('content-disposition') || '';
    var match = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (match) { try { return decodeURIComponent(match[1]); } catch (e) { /* fall through */ } }
    return fallback;
  }

  function download(n, format, button) {
    button.disabled = true;
    var label = button.textContent;
    button.textContent = '正在下载…';
    fetchExport(n, 'export.' + format).then(function (response) {
      var name = fileName(response, '通报_' + n.number.replace(/\//g, '_') + '.' + format);
      return response.blob().then(function (blob) {
        var url = URL.createObjectURL(blob);
        var link = el('a', { href: url, download: name, hidden: true });
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
        toast('已下载 ' + name);
      });
    }).catch(function (error) { toast(explain(error), true); }).then(function () {
      button.disabled = false;
      button.textContent = label;
    });
  }

  function printNotice(n, button) {
    button.disabled = true;
    fetchExport(n, 'print').then(function (response) { return response.text(); }).then(function (html) {
      var old = $('lx-print-frame');
      if (old) old.remove();
      var url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
      var frame = el('iframe', { id: 'lx-print-frame', className: 'lx-print-frame', title: '打印预览', src: url });
      frame.addEventListener('load', function () {
        try { frame.contentWindow.focus(); frame.contentWindow.print(); } catch (e) { toast('无法打开打印对话框，请重试', true); }
        setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      });
      document.body.appendChild(frame);
    }).catch(function (error) { toast(explain(error), true); }).then(function () { button.disabled = false; });
  }

  // ---- 核实比对: the department's open discrepancies ----------------------------------------------------

  var RECON = 'query Recon($filter: DiscrepancyFilter, $after: String) { discrepancies(filter: $filter, first: 50, after: $after) {' +
    ' totalCount edges { node { id rule { code title } childId county { code name } status deadline overdue version explanation facts { field value } } }' +
    ' pageInfo { hasNextPage endCursor } } }';
  var START = 'mutation Start($id: ID!, $v: Int!) { startDiscrepancy(id: $id, expectedVersion: $v) { id status version } }';
  var EXPLAIN = 'mutation Explain($id: ID!, $reason: String!, $evidence: String, $v: Int!) { explainDiscrepancy(id: $id, reason: $reason, evidence: $evidence, expectedVersion: $v) { id status version } }';
  var STATUS_NAMES = { OPEN: '待处理', IN_PROGRESS: '整改中', RESOLVED: '已解决', EXPLAINED: '说明已确认' };
  var recon = { items: [], children: {}, after: null, more: false };

  function showTab(name) {
    var onRecon = name === 'recon';
    $('lx-tab-notices').setAttribute('aria-selected', String(!onRecon));
    $('lx-tab-recon').setAttribute('aria-selected', String(onRecon));
    $('lx-app').hidden = onRecon;
    $('lx-recon').hidden = !onRecon;
    if (onRecon) loadRecon(false);
  }

  /** Whether the signed-in person works on its department's discrepancies (its clerks, liaisons and experts; supervisors confirm, elsewhere). */
  function mayWork() {
    var me = state.me;
    return !!me && me.roles.some(function (r) { return r === 'clerk' || r === 'liaison' || r === 'expert'; });
  }

  /** The children of a page, by name, as the reader may see them (one request, one alias per child). */
  function loadChildren(ids) {
    var wanted = ids.filter(function (id, i) { return ids.indexOf(id) === i && !(id in recon.children); });
    if (!wanted.length) return Promise.resolve();
    var params = wanted.map(function (_, i) { return '$c' + i + ': ID!'; }).join(', ');
    var fields = wanted.map(function (_, i) { return 'c' + i + ': child(id: $c' + i + ') { id name residenceRegion { name } education { schoolName } }'; }).join(' ');
    var variables = {};
    wanted.forEach(function (id, i) { variables['c' + i] = id; });
    return fetch(settings.endpoint, {
      method: 'POST',
      headers: authHeaders({ 'content-type': 'application/json', accept: 'application/json' }),
      body: JSON.stringify({ query: 'query Children(' + params + ') { ' + fields + ' }', variables: variables }),
    }).then(function (r) { return r.json(); }).then(function (body) {
      // A child or field the reader may not see is simply left out (its errors are not the page's).
      wanted.forEach(function (id, i) { recon.children[id] = (body.data && body.data['c' + i]) || null; });
    }, function () { /* names are a help, not a need */ });
  }

  function loadRecon(more) {
    var note = $('lx-recon-note');
    if (!more) { recon.items = []; recon.after = null; }
    note.textContent = '正在加载…';
    var filter = { open: true, ownerDept: state.me.dept };
    return gql(RECON, { filter: filter, after: more ? recon.after : null }).then(function (data) {
      var connection = data.discrepancies;
      recon.items = recon.items.concat(connection.edges.map(function (e) { return e.node; }));
      recon.after = connection.pageInfo.endCursor;
      recon.more = connection.pageInfo.hasNextPage;
      note.textContent = connection.totalCount === 0
        ? '本部门在您辖区内没有待处理的核实比对问题。'
        : '共 ' + connection.totalCount + ' 项待处理' + (connection.totalCount > recon.items.length ? '，已显示 ' + recon.items.length + ' 项' : '');
      return loadChildren(recon.items.map(function (d) { return d.childId; }));
    }).then(renderRecon).catch(function (error) { note.textContent = explain(error); });
  }

  function factText(fact) {
    var dot = fact.field.indexOf('.');
    var value = fact.value === null ? '（无记录）' : displayValue(fact.field.slice(0, dot), fact.field.slice(dot + 1), fact.value) || '（空）';
    return (labels.facts[fact.field] || fact.field) + '：' + value;
  }

  function renderRecon() {
    var body = document.querySelector('#lx-recon-items tbody');
    clear(body);
    recon.items.forEach(function (d) {
      var child = recon.children[d.childId];
      var school = child && child.education && child.education.schoolName;
      var actions = el('div', { className: 'lx-recon-actions' });
      if (mayWork()) {
        if (d.status === 'OPEN') actions.appendChild(el('button', { type: 'button', className: 'lx-btn lx-start', onclick: function () { startItem(d, this); } }, '开始整改'));
        if (!d.explanation) actions.appendChild(el('button', { type: 'button', className: 'lx-btn lx-explain', onclick: function () { openExplain(d, actions); } }, '情况说明'));
      }
      if (d.explanation) actions.appendChild(el('span', { className: 'lx-badge lx-badge-pending' }, '说明待督导确认'));
      body.appendChild(el('tr', { 'data-id': d.id, 'data-rule': d.rule.code, 'data-status': d.status },
        el('td', null, el('b', null, d.rule.code), ' ', d.rule.title),
        el('td', { className: 'lx-child' }, child && child.name ? child.name : el('span', { className: 'lx-muted' }, d.childId.slice(0, 8) + '…'),
          el('small', null, [d.county.name, school].filter(Boolean).join(' · '))),
        el('td', null, el('ul', { className: 'lx-facts-list' }, d.facts.filter(function (f) { return f.value !== 'false'; }).map(function (f) { return el('li', null, factText(f)); }))),
        el('td', null, el('span', { className: 'lx-badge lx-badge-' + (d.overdue ? 'overdue' : d.status === 'OPEN' ? 'pending' : 'done') }, (d.overdue ? '逾期 · ' : '') + STATUS_NAMES[d.status])),
        el('td', null, d.deadline),
        el('td', null, actions)));
    });
    $('lx-recon-more').hidden = !recon.more;
  }

  function startItem(d, button) {
    button.disabled = true;
    gql(START, { id: d.id, v: d.version }).then(function () {
      toast(d.rule.code + ' 已开始整改');
      return loadRecon(false);
    }).catch(function (error) { toast(explain(error), true); button.disabled = false; });
  }

  function openExplain(d, actions) {
    if (actions.querySelector('form')) return;
    var reason = el('textarea', { rows: 3, maxlength: 500, className: 'lx-reason', 'aria-label': '情况说明', placeholder: '为何确属例外（必填，最多500字）' });
    var evidence = el('input', { type: 'text', maxlength: 500, className: 'lx-evidence', 'aria-label': '佐证材料', placeholder: '佐证材料（选填）' });
    var form = el('form', { className: 'lx-explain-form', onsubmit: function (event) {
      event.preventDefault();
      if (!reason.value.trim()) { toast('请填写情况说明。', true); return; }
      var submit = form.querySelector('button[type="submit"]');
      submit.disabled = true;
      gql(EXPLAIN, { id: d.id, reason: reason.value.trim(), evidence: evidence.value.trim() || null, v: d.version }).then(function () {
        toast(d.rule.code + ' 情况说明已提交，待督导确认');
        return loadRecon(false);
      }).catch(function (error) { toast(explain(error), true); submit.disabled = false; });
    } }, reason, evidence, el('div', { className: 'lx-recon-actions' },
      el('button', { type: 'submit', className: 'lx-btn lx-primary' }, '提交说明'),
      el('button', { type: 'button', className: 'lx-btn', onclick: function () { form.remove(); } }, '取消')));
    actions.appendChild(form);
    reason.focus();
  }

  // ---- wiring -------------------------------------------------------------------------------------------

  $('lx-tab-notices').addEventListener('click', function () { showTab('notices'); });
  $('lx-tab-recon').addEventListener('click', function () { showTab('recon'); });
  $('lx-recon-more').addEventListener('click', function () { loadRecon(true); });

  $('lx-token-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var token = $('lx-token').value.trim().replace(/^Bearer\s+/i, '');
    if (!token) { $('lx-signin-error').textContent = '请先粘贴访问令牌。'; return; }
    signIn(token);
  });
  if ($('lx-demo-go')) {
    $('lx-demo-go').addEventListener('click', function () {
      var option = $('lx-demo').selectedOptions[0];
      if (option && option.dataset.token) signIn(option.dataset.token);
    });
  }
  $('lx-signout').addEventListener('click', function () { signOut(''); });
  fillPeriods();
  $('lx-period').addEventListener('change', loadList);
  $('lx-status').addEventListener('change', loadList);

  loadDemoIdentities();
  var remembered = null;
  try { remembered = sessionStorage.getItem(TOKEN_KEY); } catch (e) { /* storage off */ }
  if (remembered) signIn(remembered);
})();
