/** Text pools for generated data: ordinary names plus the awkward ones real people type. */

export const ORDINARY_ORGANIZATIONS = [
  "Contoso",
  "Fabrikam",
  "Northwind Traders",
  "Adventure Works",
  "Tailspin Toys",
  "Wingtip Toys",
  "Litware",
  "Proseware",
  "Woodgrove Bank",
  "Alpine Ski House",
  "Coho Winery",
  "Blue Yonder Airlines",
  "Humongous Insurance",
  "Lucerne Publishing",
  "Margie's Travel",
  "Trey Research",
  "VanArsdel",
  "Wide World Importers",
  "Relecloud",
  "Fourth Coffee",
] as const;

export const ORGANIZATION_SUFFIXES = [
  "Ltd",
  "GmbH",
  "Inc",
  "LLC",
  "AG",
  "Pty Ltd",
  "SA",
  "BV",
  "",
  "",
] as const;

export const AWKWARD_ORGANIZATIONS = [
  'Müller & Söhne "GmbH"',
  "Back\\slash Ltd",
  "Line\nBreak Inc",
  "🚀 Rocket Co",
  `${"Very Long Organization Name ".repeat(11)}End`.slice(0, 300),
  "Ærøskøbing Ølbryggeri ApS",
  "株式会社テスト",
  "O'Brien {curly} [square] <angle> Ltd",
] as const;

export const ORDINARY_PROFILES = [
  "Default Microsoft 365 Scan Profile",
  "SharePoint sites",
  "Teams and Groups",
  "Exchange mailboxes",
  "OneDrive accounts",
  "Finance department",
  "HR confidential",
  "Project sites",
] as const;

export const AWKWARD_PROFILES = [
  'Exchange "VIP" mailboxes',
  "Scan\\Path\\Profile",
  "Line\nBreak profile",
  "📁 Files & Ordner",
  "Überprüfung – Größe",
  `${"Long profile name ".repeat(17)}!`.slice(0, 300),
] as const;

export const COUNTRIES = [
  "United States",
  "Germany",
  "Japan",
  "Australia",
  "United Kingdom",
  "France",
  "Canada",
  "Singapore",
  "Switzerland",
  "South Africa",
  "Côte d'Ivoire",
  "",
] as const;

export const DESCRIPTIONS = [
  "This is a partner-configured scan profile.",
  "",
  "Created by the onboarding wizard",
  'Scans "everything" under C:\\Shares',
] as const;
