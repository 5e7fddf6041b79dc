/**
 * China's provinces for ECharts, loaded on demand (`import('./china-map.js')`) so the outlines
 * and the map series stay out of the first load and of the JavaScript budget (web/build.ts).
 * Outlines: echarts@4.9.0 map/json/china.json, Apache-2.0 (see web/src/maps/README.md).
 */
import { MapChart } from 'echarts/charts';
import * as echarts from 'echarts/core';
import china from '../maps/china-provinces.json';

echarts.use([MapChart]);
// ECharts adds the 南海诸岛 inset to a map registered as "china" (src/coord/geo/fix/nanhai.ts).
echarts.registerMap('china', china as unknown as Parameters<typeof echarts.registerMap>[1]);

/** The map's feature names: short province names (广东, 内蒙古, 香港 …). */
export const CHINA_PROVINCES: readonly string[] = china.features.map((f) => f.properties.name);
