export {
  type BudgetStatus,
  type Budgets,
  type BudgetsOptions,
  createBudgets,
  type UsageGroupBy,
  type UsageReport,
  type UsageTotals,
} from './create-budgets.ts';
export { dayOf, daysBetween, isDate, monthOf, periodStart } from './periods.ts';
