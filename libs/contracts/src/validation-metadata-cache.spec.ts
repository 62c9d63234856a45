import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { IsInt, IsString, IsUUID, MaxLength, validateSync } from 'class-validator';
import { validatePayload } from './validation.js';

class Named {
  @IsString()
  @MaxLength(5)
  name!: string;
}

class Numbered extends Named {
  @IsInt()
  n!: number;
}

const fieldsOf = (cls: new () => object, plain: object) => {
  try {
    validatePayload(cls, plain);
    return [];
  } catch (err) {
    return (err as { errors: Array<{ field: string }> }).errors.map((e) => e.field).sort();
  }
};

describe('cached validation metadata (issue 9)', () => {
  it('validates the same on every call, inherited rules included', () => {
    for (let i = 0; i < 3; i++) {
      expect(fieldsOf(Numbered, { name: 'toolong', n: 'x' })).toEqual(['n', 'name']);
      expect(fieldsOf(Numbered, { name: 'ok', n: 1 })).toEqual([]);
      expect(fieldsOf(Named, { name: 'ok', n: 1 })).toEqual(['n']); // unknown on the parent: its rules only
    }
  });

  it('sees a rule added after the class was first validated', () => {
    class Later {
      @IsString()
      id!: string;
    }
    expect(fieldsOf(Later, { id: 'not-a-uuid' })).toEqual([]);
    IsUUID()(Later.prototype, 'id');
    expect(fieldsOf(Later, { id: 'not-a-uuid' })).toEqual(['id']);
  });

  it('sees a subclass declared after its parent was validated', () => {
    expect(fieldsOf(Named, { name: 'ok' })).toEqual([]);
    class Child extends Named {
      @IsInt()
      age!: number;
    }
    expect(fieldsOf(Child, { name: 'toolong', age: 'x' })).toEqual(['age', 'name']);
    expect(validateSync(Object.assign(new Child(), { name: 'ok', age: 3 }))).toEqual([]);
  });
});
