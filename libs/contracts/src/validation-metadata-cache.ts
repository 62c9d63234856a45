import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata.js';

/** The two lookups of class-validator's metadata storage that every validation makes. */
interface MetadataLookups {
  getTargetValidationMetadatas(target: object, schema: string, always: boolean, strictGroups: boolean, groups?: string[]): ValidationMetadata[];
  groupByPropertyName(metadata: ValidationMetadata[]): Record<string, ValidationMetadata[]>;
  addValidationMetadata(metadata: ValidationMetadata): void;
  [CACHED]?: true;
}

const CACHED = Symbol.for('saas.validation-metadata-cache');

/**
 * Remembers class-validator's metadata lookups per class (issue 9). Every `validate` asks the
 * storage for the class's metadata, and the storage answers by walking the metadata of *every*
 * decorated class in the process (an `instanceof` per class, for inherited rules) and regrouping
 * the result by property — on the gateway, about an eighth of a `GET tenants/{id}`'s CPU, to
 * validate one uuid. The metadata only changes when a class is decorated, so the answers are kept
 * until the next decoration (any `addValidationMetadata` empties the cache: a class declared later
 * is seen, rules included).
 *
 * Installed once per process (the storage is global); the answers are the storage's own arrays and
 * objects, which class-validator only reads.
 */
export function cacheValidationMetadata(): void {
  const storage = getMetadataStorage() as unknown as MetadataLookups;
  if (storage[CACHED]) return;
  storage[CACHED] = true;

  let targets = new WeakMap<object, Map<string, ValidationMetadata[]>>();
  let grouped = new WeakMap<ValidationMetadata[], Record<string, ValidationMetadata[]>>();
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);

  storage.addValidationMetadata = (metadata) => {
    targets = new WeakMap();
    grouped = new WeakMap();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (typeof target !== 'function') return lookup(target, schema, always, strictGroups, groups);
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0001') ?? ''}`;
    let forTarget = targets.get(target);
    if (!forTarget) targets.set(target, (forTarget = new Map()));
    let found = forTarget.get(key);
    if (!found) forTarget.set(key, (found = lookup(target, schema, always, strictGroups, groups)));
    return found;
  };
  storage.groupByPropertyName = (metadata) => {
    let found = grouped.get(metadata);
    if (!found) grouped.set(metadata, (found = group(metadata)));
    return found;
  };
}
