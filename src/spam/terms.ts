/**
 * Word lists of the vocabulary signals (./score.ts), matched as whole lower-case
 * words or phrases. Every list is a weak signal: it can tag, never quarantine.
 */

/** Search-engine sales vocabulary. Words a customer uses about their own business (traffic, optimisation, visitors, ranking, Google Maps) are not here. */
export const SEO_TERMS = [
  "seo",
  "backlink",
  "backlinks",
  "baclink",
  "link building",
  "domain authority",
  "page rank",
  "pagerank",
  "serp",
  "serps",
  "rank higher",
  "search visibility",
  "google index",
  "google search",
  "organic traffic",
  "whitehat",
  "toxic links",
  "guest post",
  "sponsored post",
  "semrush",
  "ahrefs",
  "social ads",
  "search results",
  "meta tag",
  "meta tags",
  "title tag",
  "heading tags",
  "ad words",
] as const;

/** Crypto, gambling, adult, get-rich words: a workshop customer hardly uses them. Still only a weak signal: "BTC City" is an address, and a word is never proof. */
export const SCAM_STRONG = [
  "late client",
  "confiscated",
  "copyrighted",
  "copyright holder",
  "infringement",
  "infringing",
  "dmca",
  "bitcoin",
  "bitcoins",
  "crypto",
  "cryptocurrency",
  "binance",
  "forex",
  "ethereum",
  "blockchain",
  "myetherwallet",
  "casino",
  "casinos",
  "gambling",
  "jackpot",
  "lottery",
  "porn",
  "sexy",
  "viagra",
  "cialis",
  "next of kin",
  "make money",
  "earn money",
  "earning money",
  "making money",
  "passive income",
  "additional income",
  "online income",
  "financial independence",
  "millionaire",
  "get rich",
  "make dollars",
] as const;

/** Phrases of advance-fee and get-rich lures that plain business text seldom has. */
export const SCAM_WEAK = [
  "debt consolidation",
  "claim your",
  "affiliate",
  "affiliates",
  "darling",
] as const;

/** Cold-pitch phrases. Ordinary business words (advertising, marketing, urgent, WhatsApp, wholesale) are left out: customers write them every day. */
export const PITCH_TERMS = [
  "feedback form",
  "feedback forms",
  "contact forms",
  "commercial offer",
  "captcha",
  "spam folder",
  "shop now",
  "get yours",
  "web design",
  "free trial",
  "limited offer",
  "special offer",
  "act now",
] as const;

/**
 * An overdue-payment demand: with any link (a file host too) it is invoice
 * phishing. A customer who sends a drawing or an order via Drive asks, not demands.
 */
export const PAYMENT_TERMS = [
  "invoice is overdue",
  "overdue invoice",
  "overdue payment",
  "payment is overdue",
  "make the payment",
  "unpaid invoice",
  "outstanding invoice",
  "zapadli račun",
  "neplačan račun",
  "neplačani račun",
  "überfällige rechnung",
  "zahlungserinnerung",
];
