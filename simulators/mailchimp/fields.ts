type Tree = { [key: string]: Tree | true };

function treeOf(list: string): Tree {
  const tree: Tree = {};
  for (const path of list
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    let node = tree;
    const parts = path.split('.');
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = true;
      else {
        const next = node[part];
        if (next === true) return;
        node = node[part] = next ?? {};
      }
    });
  }
  return tree;
}

function pick(value: unknown, tree: Tree): unknown {
  if (Array.isArray(value)) return value.map((v) => pick(v, tree));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, sub] of Object.entries(tree)) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = sub === true ? v : pick(v, sub);
  }
  return out;
}

function omit(value: unknown, tree: Tree): unknown {
  if (Array.isArray(value)) return value.map((v) => omit(v, tree));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [k, sub] of Object.entries(tree)) {
    if (sub === true) delete out[k];
    else if (out[k] !== undefined) out[k] = omit(out[k], sub);
  }
  return out;
}

/** Mailchimp's `fields` / `exclude_fields` query parameters (comma-separated, dot notation). */
export function selectFields(body: unknown, query: URLSearchParams): unknown {
  const fields = query.get('fields');
  const exclude = query.get('exclude_fields');
  let out = body;
  if (fields) out = pick(out, treeOf(fields));
  if (exclude) out = omit(out, treeOf(exclude));
  return out;
}
