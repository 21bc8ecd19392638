/** String operators: every example of the documented operator table yields true. */
import { describe } from 'vitest';
import { scalar } from './conform.js';

const DOC = 'https://learn.microsoft.com/kusto/query/datatypes-string-operators';

const TRUE_EXAMPLES = [
  '"aBc" == "aBc"',
  '"abc" != "ABC"',
  '"abc" =~ "ABC"',
  '"aBc" !~ "xyz"',
  '"North America" has "america"',
  '"North America" !has "amer"',
  '"North America" has_cs "America"',
  '"North America" !has_cs "amer"',
  '"North America" hasprefix "ame"',
  '"North America" !hasprefix "mer"',
  '"North America" hasprefix_cs "Ame"',
  '"North America" !hasprefix_cs "CA"',
  '"North America" hassuffix "ica"',
  '"North America" !hassuffix "americ"',
  '"North America" hassuffix_cs "ica"',
  '"North America" !hassuffix_cs "icA"',
  '"FabriKam" contains "BRik"',
  '"Fabrikam" !contains "xyz"',
  '"FabriKam" contains_cs "Kam"',
  '"Fabrikam" !contains_cs "Kam"',
  '"Fabrikam" startswith "fab"',
  '"Fabrikam" !startswith "kam"',
  '"Fabrikam" startswith_cs "Fab"',
  '"Fabrikam" !startswith_cs "fab"',
  '"Fabrikam" endswith "Kam"',
  '"Fabrikam" !endswith "brik"',
  '"Fabrikam" matches regex "b.*k"',
  '"abc" in ("123", "345", "abc")',
  '"bca" !in ("123", "345", "abc")',
  '"abc" in~ ("123", "345", "ABC")',
  '"bca" !in~ ("123", "345", "ABC")',
  '"North America" has_any("south", "north")',
];

describe('string operators (documented table)', () => {
  for (const e of TRUE_EXAMPLES) scalar(DOC, e, true);
});
