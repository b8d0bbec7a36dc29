import { describe, expect, it } from 'vitest';
import { detectSliceGeo, geoKindOf } from '../../../src/lib/geo/detect';
import type { DatasetInfo, VariableInfo } from '../../../src/lib/zarr/dataset';

/** Only the fields detection reads. */
function variable(name: string, dims: string[], attrs: Record<string, unknown> = {}, isCoord = true): VariableInfo {
  return { name, dims, shape: dims.map(() => 4), attrs, isCoord } as unknown as VariableInfo;
}
function info(vars: VariableInfo[]): DatasetInfo {
  return { coords: vars.filter((v) => v.isCoord), dataVars: vars.filter((v) => !v.isCoord) } as unknown as DatasetInfo;
}

describe('longitude and latitude detection', () => {
  it('reads CF units and their variants', () => {
    for (const u of ['degrees_east', 'degree_east', 'degree_E', 'degrees_E', 'degreeE', 'degreesE']) expect(geoKindOf('x1', { units: u })).toBe('lon');
    for (const u of ['degrees_north', 'degree_north', 'degree_N', 'degrees_N', 'degreeN', 'degreesN']) expect(geoKindOf('y1', { units: u })).toBe('lat');
  });

  it('reads standard_name, then axis with angular units, then common names', () => {
    expect(geoKindOf('a', { standard_name: 'longitude' })).toBe('lon');
    expect(geoKindOf('b', { standard_name: 'latitude', units: 'degrees' })).toBe('lat');
    expect(geoKindOf('a', { axis: 'X', units: 'degrees' })).toBe('lon');
    expect(geoKindOf('b', { axis: 'Y', units: 'degree' })).toBe('lat');
    expect(geoKindOf('lon', {})).toBe('lon');
    expect(geoKindOf('latitude', {})).toBe('lat');
    expect(geoKindOf('nav_lat', {})).toBe('lat');
  });

  it('does not take projected or rotated coordinates for lon/lat', () => {
    expect(geoKindOf('x', { axis: 'X', units: 'm', standard_name: 'projection_x_coordinate' })).toBe(null);
    expect(geoKindOf('rlon', { standard_name: 'grid_longitude', units: 'degrees' })).toBe(null);
    expect(geoKindOf('lon', { units: 'km' })).toBe(null);
    expect(geoKindOf('time', { units: 'days since 2000-01-01' })).toBe(null);
    expect(geoKindOf('x', {})).toBe(null);
  });

  it('finds a regular grid either way round', () => {
    const lat = variable('lat', ['lat'], { units: 'degrees_north' });
    const lon = variable('lon', ['lon'], { units: 'degrees_east' });
    const tas = variable('tas', ['time', 'lat', 'lon'], {}, false);
    const i = info([lat, lon, tas]);
    expect(detectSliceGeo(i, tas, 'lat', 'lon')).toEqual({ kind: 'regular', lon: 'lon', lat: 'lat', lonIsX: true });
    expect(detectSliceGeo(i, tas, 'lon', 'lat')).toEqual({ kind: 'regular', lon: 'lon', lat: 'lat', lonIsX: false });
    expect(detectSliceGeo(i, tas, 'time', 'lon')).toBe(null);
    // Values that cannot be latitudes.
    expect(detectSliceGeo(i, tas, 'lat', 'lon', { lat: { values: [0, 100, 200] } })).toBe(null);
  });

  it('finds 2-D coordinates of a curvilinear grid', () => {
    const nav_lat = variable('nav_lat', ['y', 'x'], { units: 'degrees_north' });
    const nav_lon = variable('nav_lon', ['y', 'x'], { units: 'degrees_east' });
    const sst = variable('sst', ['time', 'y', 'x'], { coordinates: 'nav_lat nav_lon' }, false);
    const i = info([nav_lat, nav_lon, sst]);
    expect(detectSliceGeo(i, sst, 'y', 'x')).toEqual({ kind: 'curvilinear', lon: 'nav_lon', lat: 'nav_lat', transposed: false });
    expect(detectSliceGeo(i, sst, 'x', 'y')).toEqual({ kind: 'curvilinear', lon: 'nav_lon', lat: 'nav_lat', transposed: true });
    expect(detectSliceGeo(i, sst, 'time', 'x')).toBe(null);
  });
});
