package aftership

// alpha2 converts the ISO 3166-1 alpha-3 codes AfterShip sends to the alpha-2 codes the
// catalog's Customer.Country uses. The table covers the common e-commerce destinations; any
// other code gives "" rather than a value in the wrong format (Shipment.DestinationCountry
// keeps AfterShip's alpha-3 code in every case).
func alpha2(iso3 string) string {
	return iso3ToISO2[iso3]
}

var iso3ToISO2 = map[string]string{
	// Americas
	"USA": "US", "CAN": "CA", "MEX": "MX", "PRI": "PR", "BRA": "BR", "ARG": "AR", "CHL": "CL",
	"COL": "CO", "PER": "PE", "URY": "UY",
	// Europe
	"GBR": "GB", "IRL": "IE", "FRA": "FR", "DEU": "DE", "ESP": "ES", "PRT": "PT", "ITA": "IT",
	"NLD": "NL", "BEL": "BE", "LUX": "LU", "CHE": "CH", "AUT": "AT", "DNK": "DK", "SWE": "SE",
	"NOR": "NO", "FIN": "FI", "ISL": "IS", "POL": "PL", "CZE": "CZ", "SVK": "SK", "HUN": "HU",
	"ROU": "RO", "BGR": "BG", "GRC": "GR", "HRV": "HR", "SVN": "SI", "SRB": "RS", "EST": "EE",
	"LVA": "LV", "LTU": "LT", "CYP": "CY", "MLT": "MT", "UKR": "UA", "RUS": "RU", "TUR": "TR",
	// Middle East and Africa
	"ISR": "IL", "ARE": "AE", "SAU": "SA", "QAT": "QA", "EGY": "EG", "MAR": "MA", "ZAF": "ZA",
	"NGA": "NG", "KEN": "KE",
	// Asia and Oceania
	"IND": "IN", "PAK": "PK", "BGD": "BD", "CHN": "CN", "HKG": "HK", "MAC": "MO", "TWN": "TW",
	"JPN": "JP", "KOR": "KR", "SGP": "SG", "MYS": "MY", "THA": "TH", "VNM": "VN", "IDN": "ID",
	"PHL": "PH", "AUS": "AU", "NZL": "NZ",
}
