/** The demo business generator: a synthetic business drawn from the models, with ground truth. */
export {
  ACCOUNT_MANAGERS,
  DEMO_INDUSTRIES,
  type DemoIndustry,
  TELECOM_PLANS,
} from './business.js';
export { CATALOGUE, type CatalogueProduct, PLANTED_RULES, type PlantedRule } from './catalogue.js';
export {
  type Demo,
  type DemoCustomer,
  type DemoTruth,
  generateDemo,
  TRUE_STAGES,
  type TrueStage,
} from './generate.js';
export {
  DEFAULT_MODELS,
  DEFAULT_OPTIONS,
  type DemoModel,
  type DemoOptions,
  type DemoParams,
  STAGE_RULES,
} from './params.js';
export { Random, WeightedChoice, WeightedPicker } from './random.js';
