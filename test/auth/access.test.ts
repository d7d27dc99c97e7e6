import { describe, expect, it } from 'vitest';
import { canChangeOwned, canSeeOwned } from '../../src/auth/access.ts';
import { principal } from '../helpers/auth.ts';

const ana = principal('analyst', 10, 'ana');
const bob = principal('analyst', 11, 'bob');
const vic = principal('viewer', 12, 'vic');
const root = principal('admin', 1, 'root');

describe('ownership', () => {
  it('owners and admins see an object; other analysts do not (their answer is 404)', () => {
    expect([canSeeOwned(ana, 10), canSeeOwned(root, 10), canSeeOwned(bob, 10), canSeeOwned(vic, 10)]).toEqual([true, true, false, false]);
    expect(canSeeOwned(ana, null)).toBe(false);
  });

  it('everyone sees shared templates, only admins change them', () => {
    expect([canSeeOwned(bob, null, true), canSeeOwned(vic, 10, true)]).toEqual([true, true]);
    expect([canChangeOwned(bob, null), canChangeOwned(root, null)]).toEqual([false, true]);
  });

  it('owners who are analysts change their objects; a viewer owning something (after a demotion) cannot', () => {
    expect([canChangeOwned(ana, 10), canChangeOwned(bob, 10), canChangeOwned(principal('viewer', 10), 10)]).toEqual([true, false, false]);
  });
});
