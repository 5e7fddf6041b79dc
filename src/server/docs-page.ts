/** GET /api/docs: a self-contained page (no CDN) that renders /api/openapi.json as a readable list. */
export const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tenure API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:0;color:#1d2433;background:#f7f8fa}
header{background:#1d2433;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
.op{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin:8px 0}
.op summary{cursor:pointer;padding:8px 12px;display:flex;gap:12px;align-items:center}
.m{font-weight:700;font-family:monospace;width:64px}.GET{color:#1769aa}.POST{color:#2e7d32}
.PUT,.PATCH{color:#b26a00}.DELETE{color:#c62828}.path{font-family:monospace}
.body{padding:0 12px 12px}pre{background:#f1f3f6;padding:8px;overflow:auto;font-size:12px}
h2{margin-top:24px;text-transform:capitalize}</style></head>
<body><header><h1>Tenure API</h1><div id="desc"></div></header><main id="main">Loading /api/openapi.json…</main>
<script>
fetch('/api/openapi.json').then(r=>r.json()).then(doc=>{
  document.getElementById('desc').textContent=doc.info.description;
  const main=document.getElementById('main');main.textContent='';
  const byTag={};
  for(const [path,ops] of Object.entries(doc.paths))for(const [m,op] of Object.entries(ops))
    (byTag[op.tags[0]]??=[]).push({path,m:m.toUpperCase(),op});
  const esc=s=>String(s).replace(/[&<>]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
  for(const [tag,list] of Object.entries(byTag)){
    const h=document.createElement('h2');h.textContent=tag;main.appendChild(h);
    for(const {path,m,op} of list){
      const d=document.createElement('details');d.className='op';
      let html='<summary><span class="m '+m+'">'+m+'</span><span class="path">'+esc(path)+'</span><span>'+esc(op.summary)+'</span></summary><div class="body">';
      if(op.description)html+='<p>'+esc(op.description)+'</p>';
      if(op.parameters)html+='<h4>Parameters</h4><pre>'+esc(JSON.stringify(op.parameters,null,2))+'</pre>';
      if(op.requestBody){
        const json=op.requestBody.content['application/json'];
        html+='<h4>Body</h4>'+(op.requestBody.description?'<p>'+esc(op.requestBody.description)+'</p>':'');
        html+=json?'<pre>'+esc(JSON.stringify(json.schema,null,2))+'</pre>':'<p>'+Object.keys(op.requestBody.content).map(esc).join(', ')+'</p>';
      }
      html+='<h4>Responses</h4>';
      for(const [s,r] of Object.entries(op.responses)){
        html+='<p><b>'+s+'</b> '+esc(r.description)+'</p>';
        for(const [type,c] of Object.entries(r.content||{})){
          const sc=c.schema;
          if(sc&&!sc.$ref)html+=(type==='application/json'?'':'<p>'+esc(type)+'</p>')+'<pre>'+esc(JSON.stringify(sc,null,2))+'</pre>';
        }
      }
      d.innerHTML=html+'</div>';main.appendChild(d);
    }
  }
}).catch(e=>{document.getElementById('main').textContent='Could not load the document: '+e});
</script></body></html>`;
