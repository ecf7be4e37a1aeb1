// The console's stylesheet, served from the worker's own origin (the page's CSP allows no
// inline style). Colours meet WCAG 2.2 AA contrast; targets are at least 44 px high.

/** GET /admin/console.css: one column on a phone, cards that wrap, visible focus. */
export const CONSOLE_CSS = `*{box-sizing:border-box}
[hidden]{display:none!important}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f6f7f9;margin:0}
.top{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem 1rem;background:#fff;border-bottom:1px solid #d0d4da;padding:.75rem 1rem}
.top h1{font-size:1.3rem;margin:0}
.tools{display:flex;gap:.75rem;align-items:center;margin:0}
main{max-width:56rem;margin:0 auto;padding:1rem 1rem 3rem}
section{background:#fff;border:1px solid #d0d4da;border-radius:8px;padding:1rem;margin:0 0 1.25rem}
h2{font-size:1.25rem;margin:0 0 .75rem}
h3{font-size:1.1rem;margin:1rem 0 .5rem}
h4{font-size:1rem;margin:0 0 .5rem}
a{color:#1546a8}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.5rem 1rem;padding:0;margin:0 0 1rem}
label{display:block;font-weight:600;margin:.5rem 0 .25rem}
input,select,textarea{width:100%;font:inherit;padding:.55rem .6rem;border:1px solid #6b717b;border-radius:6px;background:#fff;color:#1a1a1a;min-height:44px}
input[type=checkbox]{width:1.5rem;height:1.5rem;min-height:0;margin:.25rem 0}
button{font:inherit;font-weight:600;min-height:44px;padding:.55rem 1.1rem;border:2px solid #1d5fd6;border-radius:6px;background:#1d5fd6;color:#fff;cursor:pointer;margin:.5rem .5rem 0 0}
button.secondary{background:#fff;color:#1546a8}
button.danger{background:#b3261e;border-color:#b3261e;color:#fff}
button[disabled]{opacity:.6;cursor:wait}
:focus-visible,h1:focus,h3:focus,h4:focus,p:focus,li:focus{outline:3px solid #1d5fd6;outline-offset:2px}
[aria-invalid=true]{border-color:#b3261e;border-width:2px}
.field-error{color:#8c1d18;font-weight:600;margin:.25rem 0 0}
.status:not(:empty){padding:.75rem 1rem;border:1px solid #2e7d4f;background:#e3f4e8;border-radius:6px;margin:0 0 1rem}
.alert:not(:empty){padding:.75rem 1rem;border:2px solid #b3261e;background:#fbe9e7;border-radius:6px;margin:0 0 1rem}
.ok{color:#1e5a37;font-weight:600}
.note{color:#4a4f57}
.detail{color:#4a4f57;font-size:.9rem;margin:.1rem 0 .6rem;overflow-wrap:anywhere}
.todo{margin:.1rem 0}
.problems li,.warnings li{margin:0 0 .5rem}
.cards{list-style:none;padding:0;margin:0}
.card{border:1px solid #d0d4da;border-radius:8px;padding:.75rem 1rem;margin:0 0 1rem;background:#fbfbfc}
.fields{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.25rem 1rem;margin:0 0 .5rem}
.fields dt{font-weight:600;color:#3a3f47}
.fields dd{margin:0;overflow-wrap:anywhere}
.fields .fields{grid-template-columns:minmax(7rem,max-content) 1fr;margin:0}
.pre{white-space:pre-wrap}
.actions{margin:.25rem 0}
.row button{margin-top:.5rem}
.confirm{border:2px solid #b3261e;border-radius:8px;padding:1rem;margin:0 0 1rem;background:#fff}
@media (max-width:36rem){.fields,.fields .fields{grid-template-columns:1fr}.fields dd{margin-bottom:.4rem}button{width:100%;margin-right:0}}
`;
