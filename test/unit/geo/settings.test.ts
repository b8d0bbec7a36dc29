import { describe, expect, it } from 'vitest';
import { DEFAULT_MAP, mapFromParam, mapToParam } from '../../../src/lib/geo/settings';
import { viewFromParams, viewToParams } from '../../../src/lib/zarr/view-state';

describe('map settings in the address', () => {
  it('writes nothing for the default map and reads it back', () => {
    expect(mapToParam(DEFAULT_MAP)).toBeUndefined();
    expect(mapFromParam(undefined)).toEqual(DEFAULT_MAP);
  });

  it('round-trips projections, rotation and lines', () => {
    const cases = [
      { projection: 'orthographic', rotate: [-30.25, 20], coastlines: true, borders: true, graticule: false },
      { projection: 'equal-earth', rotate: [150, 0], coastlines: false, borders: false, graticule: true },
      { projection: 'flat', rotate: [0, 0], coastlines: false, borders: true, graticule: true },
    ] as const;
    for (const m of cases) {
      const settings = { ...m, rotate: [...m.rotate] as [number, number] };
      expect(mapFromParam(mapToParam(settings))).toEqual(settings);
      // Through the view's link parameters too.
      const view = viewFromParams(viewToParams({ var: 'tas', map: mapToParam(settings) }));
      expect(mapFromParam(view.map)).toEqual(settings);
    }
  });

  it('reads what anyone may write without failing', () => {
    expect(mapFromParam('ortho,abc,1')).toEqual({ ...DEFAULT_MAP, projection: 'orthographic' });
    expect(mapFromParam('ortho,900,-200').rotate).toEqual([-180, -90]);
    expect(mapFromParam('mercator,borders')).toEqual({ ...DEFAULT_MAP, borders: true });
  });
});
