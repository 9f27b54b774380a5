// nag checks a synthesized Borderdesk template with cdk-nag's AwsSolutions and Serverless
// packs, and exits 1 on any error the template does not suppress.
//
//	node nag/nag.mjs <template.json> [--warnings]
//
// The Go stack has no cdk-nag binding, so the template is read back into a fresh stack
// (CfnInclude) and the packs run over that. A suppression lives on its resource in the Go
// stack (acknowledge in nag.go), as the template metadata cdk-nag 2 wrote:
//
//	"Metadata": {"cdk_nag": {"rules_to_suppress": [
//	    {"id": "AwsSolutions-IAM5", "reason": "why", "applies_to": ["Resource::*"]}]}}
//
// applies_to narrows a suppression to some findings of a rule that reports several
// (cdk-nag 3 names them RuleId[Finding]); "regex:<expr>" matches findings by a regular
// expression. Without applies_to every finding of the rule on that resource is suppressed.
// A suppression without a reason is an error; one that suppresses nothing is listed, so
// stale ones get noticed. Warnings are listed with --warnings and never fail the check.
import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const showWarnings = args.includes('--warnings');
if (!file) {
  console.error('usage: node nag/nag.mjs <template.json> [--warnings]');
  process.exit(2);
}

const template = JSON.parse(readFileSync(file, 'utf8'));
const stack = new Stack(new App(), 'Nag');
new CfnInclude(stack, 'Template', { templateFile: file });

const errors = [];
const suppressions = new Map(); // logical id -> [{id, reason, findings, used}]
for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
  for (const rule of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
    if (typeof rule.id !== 'string' || typeof rule.reason !== 'string' || rule.reason.trim().length < 20) {
      errors.push(`${logicalId}: suppression ${JSON.stringify(rule)} needs an id and a reason a reviewer can judge`);
      continue;
    }
    const findings = (rule.applies_to ?? []).map(finding);
    const list = suppressions.get(logicalId) ?? [];
    list.push({ ...rule, findings, used: false });
    suppressions.set(logicalId, list);
  }
}

// finding is a suppression's applies_to entry as a matcher: a regular expression, or an exact
// finding in which <AWS::Region> and <AWS::AccountId> also match a literal region and
// account, as the template has them when the CLI pins the stack to an environment.
function finding(f) {
  if (f.startsWith('regex:')) return new RegExp(f.slice('regex:'.length));
  const escaped = f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replaceAll('<AWS::Region>', '(?:<AWS::Region>|[a-z]{2}(?:-[a-z]+)+-\\d)')
    .replaceAll('<AWS::AccountId>', '(?:<AWS::AccountId>|\\d{12})');
  return new RegExp(`^${escaped}$`);
}

// covering are the suppressions of logicalId's metadata that cover ruleName ("Rule" or
// "Rule[Finding]"): two may, when one finding (Resource::*) stands for two statements.
function covering(logicalId, ruleName) {
  const m = ruleName.match(/^([^[]+)(?:\[(.*)\])?$/);
  const [id, finding] = [m[1], m[2]];
  return (suppressions.get(logicalId) ?? []).filter((s) => s.id === id && (s.findings.length === 0 ||
    (finding !== undefined && s.findings.some((f) => f.test(finding)))));
}

// A construct path of the included stack is Nag/Template/<logicalId>.
const logicalIdOf = (path) => path.split('/')[2] ?? path;

let warnings = 0;
let suppressed = 0;
for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
  for (const v of pack.validateScope(stack).violations) {
    for (const r of v.violatingResources) {
      const logicalId = logicalIdOf(r.constructPath);
      const by = covering(logicalId, v.ruleName);
      if (by.length > 0) {
        by.forEach((s) => { s.used = true; });
        suppressed++;
      } else if (v.severity === 'error') {
        errors.push(`${logicalId}: ${v.ruleName}: ${v.description}`);
      } else {
        warnings++;
        if (showWarnings) console.log(`warning ${logicalId}: ${v.ruleName}: ${v.description}`);
      }
    }
  }
}
for (const e of errors) console.log(`error   ${e}`);
for (const [logicalId, list] of suppressions) {
  for (const s of list.filter((s) => !s.used)) console.log(`unused  ${logicalId}: suppression of ${s.id}${s.applies_to ? ` ${JSON.stringify(s.applies_to)}` : ''} matches no finding`);
}
console.log(`cdk-nag AwsSolutions+Serverless: ${errors.length} unsuppressed errors, ${warnings} warnings, ${suppressed} findings suppressed (${file})`);
process.exit(errors.length > 0 ? 1 : 0);
