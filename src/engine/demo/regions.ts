/**
 * Provinces of mainland China with rough population weights (millions, 2020 census, rounded)
 * and a few prefecture-level cities each, the capital first. Enough for realistic regional
 * breakdowns; not a gazetteer. The four municipalities are their own city.
 */

export interface Province {
  name: string;
  population: number;
  cities: readonly string[];
}

export const PROVINCES: readonly Province[] = Object.freeze([
  { name: '广东省', population: 126, cities: ['广州市', '深圳市', '东莞市', '佛山市', '珠海市'] },
  { name: '山东省', population: 101, cities: ['济南市', '青岛市', '烟台市', '潍坊市'] },
  { name: '河南省', population: 99, cities: ['郑州市', '洛阳市', '南阳市', '新乡市'] },
  { name: '江苏省', population: 85, cities: ['南京市', '苏州市', '无锡市', '常州市', '徐州市'] },
  { name: '四川省', population: 84, cities: ['成都市', '绵阳市', '宜宾市', '南充市'] },
  { name: '河北省', population: 75, cities: ['石家庄市', '唐山市', '保定市', '邯郸市'] },
  { name: '湖南省', population: 66, cities: ['长沙市', '株洲市', '衡阳市', '岳阳市'] },
  { name: '浙江省', population: 65, cities: ['杭州市', '宁波市', '温州市', '绍兴市', '金华市'] },
  { name: '安徽省', population: 61, cities: ['合肥市', '芜湖市', '阜阳市', '安庆市'] },
  { name: '湖北省', population: 58, cities: ['武汉市', '宜昌市', '襄阳市', '荆州市'] },
  { name: '广西壮族自治区', population: 50, cities: ['南宁市', '柳州市', '桂林市'] },
  { name: '云南省', population: 47, cities: ['昆明市', '曲靖市', '大理白族自治州'] },
  { name: '江西省', population: 45, cities: ['南昌市', '赣州市', '九江市'] },
  { name: '辽宁省', population: 43, cities: ['沈阳市', '大连市', '鞍山市'] },
  { name: '福建省', population: 41, cities: ['福州市', '厦门市', '泉州市', '漳州市'] },
  { name: '陕西省', population: 40, cities: ['西安市', '宝鸡市', '咸阳市'] },
  { name: '贵州省', population: 39, cities: ['贵阳市', '遵义市'] },
  { name: '山西省', population: 35, cities: ['太原市', '大同市', '运城市'] },
  { name: '重庆市', population: 32, cities: ['重庆市'] },
  { name: '黑龙江省', population: 32, cities: ['哈尔滨市', '大庆市', '齐齐哈尔市'] },
  { name: '新疆维吾尔自治区', population: 26, cities: ['乌鲁木齐市', '喀什地区'] },
  { name: '甘肃省', population: 25, cities: ['兰州市', '天水市'] },
  { name: '上海市', population: 25, cities: ['上海市'] },
  { name: '内蒙古自治区', population: 24, cities: ['呼和浩特市', '包头市', '鄂尔多斯市'] },
  { name: '吉林省', population: 24, cities: ['长春市', '吉林市'] },
  { name: '北京市', population: 22, cities: ['北京市'] },
  { name: '天津市', population: 14, cities: ['天津市'] },
  { name: '海南省', population: 10, cities: ['海口市', '三亚市'] },
  { name: '宁夏回族自治区', population: 7, cities: ['银川市'] },
  { name: '青海省', population: 6, cities: ['西宁市'] },
  { name: '西藏自治区', population: 4, cities: ['拉萨市'] },
]);

/** Within a province, the capital and big cities get more customers than the rest. */
export const CITY_RANK_WEIGHTS: readonly number[] = Object.freeze([4, 2.5, 1.5, 1, 1]);

export const ROADS: readonly string[] = Object.freeze([
  '人民路',
  '解放路',
  '中山路',
  '建设路',
  '和平路',
  '新华路',
  '长江路',
  '滨江大道',
  '学府路',
  '文化路',
  '朝阳路',
  '幸福路',
  '振兴路',
  '花园路',
  '东风路',
  '光明路',
]);
