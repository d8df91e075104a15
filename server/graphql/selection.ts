// What a query selects below the field being resolved (say a connection's edges.node), so a resolver can ask a
// service for only the columns the answer needs. Fragments are expanded; a field under @skip or @include counts
// as selected (reading a column too many is harmless, one too few is not).
// Answers are kept per field of a parsed document: the field under each row of a list asks the same question (50 runs
// asking what their records select), and a cached document asks it again on every request.
import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

const answered = new WeakMap<readonly FieldNode[], Map<string, ReadonlySet<string>>>();

/** Names of the fields selected at `path` below the field being resolved (aliases resolved to field names). */
export function selectedFieldsAt(info: GraphQLResolveInfo, path: readonly string[]): ReadonlySet<string> {
  let byPath = answered.get(info.fieldNodes);
  if (!byPath) {
    byPath = new Map();
    answered.set(info.fieldNodes, byPath);
  }
  const key = path.join('.');
  let fields = byPath.get(key);
  if (!fields) {
    fields = collectSelectedFields(info, path);
    byPath.set(key, fields);
  }
  return fields;
}

/** Whether every field selected below the field being resolved is one of `names`. */
export function selectsOnly(info: GraphQLResolveInfo, names: readonly string[]): boolean {
  for (const field of selectedFieldsAt(info, [])) if (!names.includes(field)) return false;
  return true;
}

function collectSelectedFields(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  let sets = info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  for (const name of path) {
    sets = fieldsOf(sets, info)
      .filter((field) => field.name.value === name)
      .flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
  }
  return new Set(fieldsOf(sets, info).map((field) => field.name.value));
}

function fieldsOf(sets: SelectionSetNode[], info: GraphQLResolveInfo): FieldNode[] {
  const fields: FieldNode[] = [];
  const visit = (set: SelectionSetNode, spread: ReadonlySet<string>) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet, spread);
      else {
        const name = selection.name.value;
        const fragment = info.fragments[name];
        // A cycle is refused by validation before execution; the guard only keeps this finite.
        if (fragment && !spread.has(name)) visit(fragment.selectionSet, new Set(spread).add(name));
      }
    }
  };
  for (const set of sets) visit(set, new Set());
  return fields;
}
