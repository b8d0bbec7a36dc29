import { describe, expect, it } from 'vitest';
import { sliceOfView, viewFromParams, viewOfSlice, viewToParams, type ViewVariable } from '../../../src/lib/zarr/view-state';

const tas: ViewVariable = { name: 'tas', dims: ['time', 'plev', 'lat', 'lon'], shape: [6, 3, 18, 36] };

describe("a dataset view's address and its sliders", () => {
  it("falls back to xarray's default: the last two dimensions as y and x, every slider at 0", () => {
    expect(sliceOfView(tas, {})).toEqual({ yDim: 2, xDim: 3, index: [0, 0, 0, 0] });
    expect(sliceOfView({ name: 'lat', dims: ['lat'], shape: [18] }, {})).toEqual({ yDim: 0, xDim: 0, index: [0] });
    expect(sliceOfView({ name: 'scalar', dims: [], shape: [] }, {})).toEqual({ yDim: 0, xDim: 0, index: [] });
  });

  it('takes the axes and positions the address names, by dimension name, where they fit', () => {
    expect(sliceOfView(tas, { y: 'time', x: 'lon', index: { plev: 2, lat: 5 } })).toEqual({ yDim: 0, xDim: 3, index: [0, 2, 5, 0] });
    // Past the end, of a dimension the variable lacks, or one axis twice: left at the default.
    expect(sliceOfView(tas, { index: { time: 6, height: 1 } }).index).toEqual([0, 0, 0, 0]);
    expect(sliceOfView(tas, { y: 'lat', x: 'lat' })).toMatchObject({ yDim: 2, xDim: 3 });
    expect(sliceOfView(tas, { y: 'lat', x: 'depth' })).toMatchObject({ yDim: 2, xDim: 3 });
  });

  it('writes only what differs from the default, and colours and range only when chosen', () => {
    expect(viewOfSlice(tas, { yDim: 2, xDim: 3, index: [0, 0, 7, 9] })).toEqual({ var: 'tas' });
    expect(viewOfSlice(tas, { yDim: 2, xDim: 3, index: [4, 1, 0, 0] })).toEqual({ var: 'tas', index: { time: 4, plev: 1 } });
    expect(viewOfSlice(tas, { yDim: 0, xDim: 3, index: [3, 0, 5, 0] })).toEqual({ var: 'tas', index: { lat: 5 }, y: 'time', x: 'lon' });
    expect(viewOfSlice(tas, { yDim: 2, xDim: 3, index: [0, 0, 0, 0] }, { cmap: 'greys', range: { min: 250, max: 300 } })).toEqual({ var: 'tas', cmap: 'greys', range: { min: 250, max: 300 } });
    expect(viewOfSlice(tas, { yDim: 2, xDim: 3, index: [0, 0, 0, 0] }, { range: null })).toEqual({ var: 'tas' });
  });

  it('gives back the same sliders after a round trip through the link parameters', () => {
    const slices = [
      { yDim: 2, xDim: 3, index: [5, 2, 0, 0] },
      { yDim: 1, xDim: 0, index: [0, 0, 17, 35] },
      { yDim: 3, xDim: 2, index: [1, 0, 0, 0] },
    ];
    for (const s of slices) {
      const params = viewToParams(viewOfSlice(tas, s, { cmap: 'RdBu_r', range: { min: -1.5, max: 2 } }));
      const back = viewFromParams(params);
      expect(back.var).toBe('tas');
      expect(back.cmap).toBe('RdBu_r');
      expect(back.range).toEqual({ min: -1.5, max: 2 });
      // Positions along y and x are not part of the view: they read back as 0.
      expect(sliceOfView(tas, back)).toEqual({ ...s, index: s.index.map((i, d) => (d === s.yDim || d === s.xDim ? 0 : i)) });
    }
  });

  it('keeps the colour scale and the reversed flag through the link parameters, when chosen', () => {
    const s = { yDim: 2, xDim: 3, index: [2, 0, 0, 0] };
    // Not chosen (the automatic scale, not reversed): not written.
    expect(viewToParams(viewOfSlice(tas, s, { reverse: false }))).toEqual([['var', 'tas'], ['i', 'time:2']]);
    for (const scale of ['linear', 'log'] as const) {
      for (const reverse of [false, true]) {
        const view = viewOfSlice(tas, s, { cmap: 'coolwarm', scale, reverse, range: { min: 0.5, max: 40 } });
        const params = viewToParams(view);
        expect(params).toContainEqual(['scale', scale]);
        expect(params.some(([k]) => k === 'reverse')).toBe(reverse);
        const back = viewFromParams(params);
        expect(back).toEqual(view);
        expect(back.scale).toBe(scale);
        expect(back.reverse ?? false).toBe(reverse);
      }
    }
  });

  it('reads only the scales and flags it knows from an address anyone can write', () => {
    expect(viewFromParams([['scale', 'symlog'], ['reverse', 'maybe']])).toEqual({});
    expect(viewFromParams([['scale', 'LOG']])).toEqual({});
    expect(viewFromParams([['scale', 'log'], ['reverse', 'true']])).toEqual({ scale: 'log', reverse: true });
    expect(viewFromParams([['reverse', '0']])).toEqual({ reverse: false });
  });
});
