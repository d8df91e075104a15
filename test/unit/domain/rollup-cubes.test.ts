import { describe, expect, it } from 'vitest';
import { CUBES, cubeFor } from '../../../server/domain/rollup-cubes.js';

describe('cubeFor', () => {
  it('reads the smallest cube holding every column asked for', () => {
    expect(cubeFor([]).name).toBe('status');
    expect(cubeFor(['status']).name).toBe('status');
    expect(cubeFor(['tenant_id']).name).toBe('pipeline');
    expect(cubeFor(['pipeline_id', 'status']).name).toBe('pipeline');
    expect(cubeFor(['entity_type', 'operation', 'mode']).name).toBe('shape');
    expect(cubeFor(['entity_type', 'status']).name).toBe('entity_status');
    expect(cubeFor(['mode']).name).toBe('mode_status');
    expect(cubeFor(['operation', 'status']).name).toBe('operation_status');
    expect(cubeFor(['entity_type', 'mode', 'status']).name).toBe('dimensions');
    expect(cubeFor(['mode', 'operation', 'status']).name).toBe('dimensions');
    expect(cubeFor(['tenant_id', 'entity_type', 'operation', 'mode']).name).toBe('tenant_shape');
    expect(cubeFor(['pipeline_id', 'tenant_id', 'entity_type', 'operation', 'mode']).name).toBe('pipeline_shape');
    expect(cubeFor(['pipeline_id', 'entity_type']).name).toBe('pipeline_shape');
    expect(cubeFor(['pipeline_id', 'entity_type', 'status']).name).toBe('full');
  });

  it('ends with a cube that keeps every column, so some cube answers anything', () => {
    const last = CUBES[CUBES.length - 1];
    for (const cube of CUBES) for (const column of cube.columns) expect(last.columns).toContain(column);
  });
});
