import { describe, expect, it } from 'vitest';
import { niceTicks } from '../../views/charts/axis.ts';

describe('niceTicks', () => {
  it('picks round steps of 1, 2, 2.5 or 5 × a power of ten inside the range', () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0.93, 1.41, 5)).toEqual([1, 1.1, 1.2, 1.3, 1.4]);
    expect(niceTicks(-0.237, 0, 5)).toEqual([-0.2, -0.15, -0.1, -0.05, 0]);
    expect(niceTicks(3, 13, 4)).toEqual([5, 7.5, 10, 12.5]);
  });
  it('writes float steps as their round values', () => {
    expect(niceTicks(0.1, 0.7, 6)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
  });
  it('gives a flat series a unit span', () => {
    expect(niceTicks(5, 5, 5)).toEqual([5]);
  });
});
