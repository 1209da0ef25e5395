/*
 * 保学 Baoxue explorer: GraphiQL 3 (UMD) with a demo-identity selector or a pasted token, and a
 * panel of example operations. Plain browser script, no build step; it talks to its own origin only.
 * Globals: React, ReactDOM, GraphiQL (loaded before this file). Settings: #bx-settings (JSON).
 */
(function () {
  'use strict';

  var settings = JSON.parse(document.getElementById('bx-settings').textContent);
  var h = React.createElement;
  var ui = GraphiQL.React;
  var REMEMBERED_IDENTITY = 'baoxue:explorer:identity';
  var EXAMPLES_TITLE = '示例 Examples';

  /** The token sent when a tab's headers name no Authorization; the headers editor shows it too. */
  var currentToken = null;
  /** GraphiQL's editor context, captured by the toolbar button rendered inside GraphiQL. */
  var editors = null;
  var status = document.getElementById('bx-status');

  function say(text, kind) {
    status.textContent = text;
    status.className = 'bx-status' + (kind ? ' bx-status-' + kind : '');
  }

  function isAuthorization(name) {
    return name.toLowerCase() === 'authorization';
  }

  /** The headers JSON with its Authorization replaced by the token (or removed when there is none). */
  function headersWithToken(text, token) {
    var headers = {};
    try {
      var parsed = JSON.parse(text && text.trim() ? text : '{}');
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) headers = parsed;
    } catch (error) {
      // Headers being edited into invalid JSON are replaced: the token is what was asked for.
    }
    Object.keys(headers).filter(isAuthorization).forEach(function (name) { delete headers[name]; });
    if (token) headers.Authorization = 'Bearer ' + token;
    return Object.keys(headers).length ? JSON.stringify(headers, null, 2) : '';
  }

  function showTokenInEditor() {
    if (editors && editors.headerEditor) {
      editors.headerEditor.setValue(headersWithToken(editors.headerEditor.getValue(), currentToken));
    }
  }

  function useToken(token) {
    currentToken = token || null;
    showTokenInEditor();
    render();
  }

  // What the headers editor says is sent; a tab whose headers name no Authorization gets the current token.
  var baseFetcher = GraphiQL.createFetcher({ url: settings.endpoint, enableIncrementalDelivery: false });
  function fetcher(params, options) {
    var headers = Object.assign({}, options && options.headers);
    if (currentToken && !Object.keys(headers).some(isAuthorization)) headers.Authorization = 'Bearer ' + currentToken;
    return baseFetcher(params, Object.assign({}, options, { headers: headers }));
  }

  // ---- example operations, a plugin in GraphiQL's sidebar -------------------------------------

  function icon(path) {
    return function Icon(props) {
      return h('svg', { className: props.className, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, 'aria-hidden': 'true' },
        h('path', { d: path, strokeLinecap: 'round', strokeLinejoin: 'round' }));
    };
  }
  var BookIcon = icon('M4 5.5A1.5 1.5 0 0 1 5.5 4H11v16H5.5A1.5 1.5 0 0 1 4 18.5zM20 5.5A1.5 1.5 0 0 0 18.5 4H13v16h5.5a1.5 1.5 0 0 0 1.5-1.5zM7 8h2M7 11h2M15 8h2M15 11h2');
  var KeyIcon = icon('M11 8.5a4.5 4.5 0 1 0 9 0a4.5 4.5 0 1 0-9 0zM12.3 11.7L3.5 20.5M6 18l2.5 2.5M8.5 15.5l2 2M16.5 7.5h.01');

  function isUntouchedExample(text) {
    var query = (text || '').trim();
    return !query || settings.examples.some(function (example) { return example.query.trim() === query; });
  }

  /** Opens an example: in the current tab when it holds nothing of the user's, else in a new tab. */
  function openExample(context, example) {
    function fill() {
      context.queryEditor.setValue(example.query);
      // GraphiQL learns the new operation's name 100 ms after an edit; until then it would send the
      // previous one's. Each example holds one operation, so "no name" is right at once.
      context.queryEditor.operationName = null;
      if (context.variableEditor) context.variableEditor.setValue(example.variables || '');
    }
    if (isUntouchedExample(context.queryEditor && context.queryEditor.getValue())) return fill();
    context.addTab();
    // addTab loads the new tab into the editors on the next render; fill it after that.
    setTimeout(fill, 0);
  }

  /**
   * The examples explain themselves in comments longer than the query editor is wide beside the
   * panel and the response (about 400 px in a 1400 px window): wrap lines instead of cutting them.
   */
  function wrapLines(context) {
    [context.queryEditor, context.variableEditor, context.headerEditor].forEach(function (editor) {
      if (editor && editor.setOption && !editor.getOption('lineWrapping')) editor.setOption('lineWrapping', true);
    });
  }

  function ExamplesPanel() {
    var context = ui.useEditorContext({ nonNull: true });
    wrapLines(context);
    return h('section', { className: 'bx-examples' },
      h('div', { className: 'graphiql-doc-explorer-title' }, '示例'),
      h('p', { className: 'bx-examples-intro' }, '点击打开；修改过的查询保留在原标签页。',
        h('small', null, 'Click to open; a query you changed stays in its tab and the example opens in a new one.')),
      h('ul', null, settings.examples.map(function (example) {
        return h('li', { key: example.id },
          h('button', { type: 'button', className: 'bx-example', 'data-example': example.id, onClick: function () { openExample(context, example); } },
            h('span', { className: 'bx-example-title' }, example.title),
            h('small', { className: 'bx-example-en' }, example.titleEn),
            h('span', { className: 'bx-example-who' }, example.who)));
      })));
  }

  // The identity chosen above applies to every tab: a tab brought forward gets the current token.
  var activeTabId = null;
  function onTabChange(state) {
    var tab = state.tabs[state.activeTabIndex];
    if (!tab || tab.id === activeTabId) return;
    activeTabId = tab.id;
    // GraphiQL calls this while it swaps the tab's values into the editors: write after it is done.
    if (currentToken) setTimeout(showTokenInEditor, 0);
  }

  function TokenButton() {
    editors = ui.useEditorContext({ nonNull: true });
    // The toolbar is always shown (the examples panel may be closed): wrap from here too.
    wrapLines(editors);
    return h(ui.ToolbarButton, {
      label: '把当前身份的令牌写入请求头 Put the current token in this tab’s headers',
      onClick: showTokenInEditor,
    }, h(KeyIcon, { className: 'graphiql-toolbar-icon' }));
  }

  // GraphiQL picks its logo out of its children by type: pass GraphiQL.Logo itself, not a wrapper.
  var logo = h(GraphiQL.Logo, null, h('span', { className: 'bx-logo' }, '保学', h('small', null, 'Baoxue')));

  var plugins = [{ title: EXAMPLES_TITLE, icon: BookIcon, content: ExamplesPanel }];
  var toolbar = { additionalComponent: TokenButton };
  var root = ReactDOM.createRoot(document.getElementById('bx-graphiql'));

  function render() {
    root.render(h(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: settings.examples[0].query,
      defaultHeaders: headersWithToken('', currentToken),
      defaultEditorToolsVisibility: 'headers',
      // Tokens stay out of the browser's storage.
      shouldPersistHeaders: false,
      showPersistHeadersSettings: false,
      plugins: plugins,
      visiblePlugin: EXAMPLES_TITLE,
      toolbar: toolbar,
      onTabChange: onTabChange,
    }, logo));
  }

  // ---- where the token comes from ---------------------------------------------------------------

  function demoIdentities(select) {
    fetch(settings.demoTokensUrl, { headers: { accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (identities) {
        select.textContent = '';
        select.appendChild(new Option('— 请选择演示身份 Choose a demo identity —', ''));
        identities.forEach(function (identity) {
          var option = new Option(identity.label + ' · ' + identity.dept + ' ' + identity.region + ' ' + identity.roles.join(','), identity.sub);
          option.dataset.token = identity.token;
          select.appendChild(option);
        });
        select.disabled = false;
        var remembered = localStorage.getItem(REMEMBERED_IDENTITY);
        if (remembered && identities.some(function (identity) { return identity.sub === remembered; })) select.value = remembered;
        choose();
      })
      .catch(function (error) {
        select.textContent = '';
        select.appendChild(new Option('无法加载演示身份 Demo identities unavailable', ''));
        say('演示身份加载失败 Could not load demo identities (' + error.message + ')', 'error');
      });

    function choose() {
      var option = select.selectedOptions[0];
      var token = option && option.dataset.token;
      if (select.value) localStorage.setItem(REMEMBERED_IDENTITY, select.value);
      else localStorage.removeItem(REMEMBERED_IDENTITY);
      useToken(token);
      say(token ? '已写入请求头 Authorization: Bearer … (sent with every request)' : '未选择身份：只能浏览文档 No identity: only the schema docs work',
        token ? 'ok' : 'warn');
    }
    select.addEventListener('change', choose);
  }

  function pastedToken(input) {
    input.addEventListener('change', function () {
      var token = input.value.trim().replace(/^Bearer\s+/i, '').replace(/\s+/g, '');
      useToken(token);
      say(token ? '已写入请求头 Authorization (sent with every request)' : '', token ? 'ok' : '');
    });
  }

  render();
  if (settings.demoTokensUrl) demoIdentities(document.getElementById('bx-identity'));
  else pastedToken(document.getElementById('bx-token'));
})();
