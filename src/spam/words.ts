/**
 * Common words of the form's two languages (Slovenian, English): function
 * words and the words almost every short inquiry uses. A message of a few
 * words that contains none of them is in neither language. Written with and
 * without diacritics, as people type both.
 */
const SL = `a ali ampak bi bil bila bili bilo bo bodo bom bomo bova brez ce cena ceno dan danes do dober
dobro glede h hitro hvala imam imamo imate in ja jaz je jih jo jutri k kaj kako kar kdaj kdo ker
kje ki ko koliko kos kosa kosov kot lahko lep lepo lp malo me med mene mesec mi moj moja na nad nam
nas naš naša nase naša ne nic nič nujno o od on ona oni pa po pod ponudba ponudbo potem potrebujem
potrebujemo pozdrav pozdravljeni pred pri prosim rabil rabila rabim rabimo res s samo se sem si
smo so spoštovani spostovani sta ste še tam te tega teden tem ti tisto to tudi tukaj v vam vas
vaš vaša vasa vec več vendar vi vse vsi z za zakaj zdaj zdravo ze že zelo zivjo živjo`;

const EN = `a about all also am an and any are as at be been best but by can could dear did do does
for from get had has have he hello her here hi his how i if in is it just know like many may me
more much must my need no not of on one only or our please price quote regards send she should so
some than thank thanks that the their then there these they this those to two us very want was we
were what when where which who why will with would yes you your`;

const COMMON = new Set([...SL.split(/\s+/), ...EN.split(/\s+/)].filter(Boolean));

/** Whether `word` (lower-case) is a common Slovenian or English word. */
export function isCommonWord(word: string): boolean {
  return COMMON.has(word);
}
