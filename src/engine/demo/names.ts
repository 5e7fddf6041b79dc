/**
 * Chinese personal names: the common surnames with rough frequencies (% of the population,
 * Ministry of Public Security 2020 ranking, rounded) and given-name characters by gender.
 * Names are a surname plus one or two characters, e.g. 张伟, 李秀英.
 */

export const SURNAMES: readonly (readonly [string, number])[] = Object.freeze([
  ['王', 7.1],
  ['李', 7.0],
  ['张', 6.7],
  ['刘', 5.4],
  ['陈', 4.5],
  ['杨', 3.1],
  ['赵', 2.3],
  ['黄', 2.2],
  ['周', 2.1],
  ['吴', 2.0],
  ['徐', 1.3],
  ['孙', 1.3],
  ['胡', 1.3],
  ['朱', 1.2],
  ['高', 1.2],
  ['林', 1.1],
  ['何', 1.1],
  ['郭', 1.1],
  ['马', 1.0],
  ['罗', 0.8],
  ['梁', 0.8],
  ['宋', 0.7],
  ['郑', 0.7],
  ['谢', 0.6],
  ['韩', 0.6],
  ['唐', 0.6],
  ['冯', 0.6],
  ['于', 0.5],
  ['董', 0.5],
  ['萧', 0.4],
  ['程', 0.5],
  ['曹', 0.5],
  ['袁', 0.5],
  ['邓', 0.5],
  ['许', 0.5],
  ['傅', 0.4],
  ['沈', 0.4],
  ['曾', 0.4],
  ['彭', 0.4],
  ['吕', 0.4],
  ['欧阳', 0.05],
  ['司马', 0.02],
]);

export const MALE_GIVEN: readonly string[] = Object.freeze([
  ...'伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳建国峰志毅博文斌海东亮晨',
]);

export const FEMALE_GIVEN: readonly string[] = Object.freeze([
  ...'芳娜敏静丽艳娟霞秀英玲婷雪慧琳颖晶倩佳怡欣悦萱涵雨诗梦思月兰红燕璐洁蕾莉琪瑶',
]);

/** Characters used for either gender, usually as the first of two. */
export const NEUTRAL_GIVEN: readonly string[] = Object.freeze([...'子文嘉一晓家思天梓安若雨']);
