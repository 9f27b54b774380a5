package ticket

// countryLanguages maps a country (ISO 3166-1 alpha-2) to the language most of its customers
// write in — a guess used only until the customer writes themselves.
var countryLanguages = map[string]string{
	"DE": "de", "AT": "de", "CH": "de", "FR": "fr", "BE": "fr", "LU": "fr", "ES": "es", "MX": "es",
	"AR": "es", "CO": "es", "CL": "es", "IT": "it", "PT": "pt", "BR": "pt-BR", "NL": "nl", "PL": "pl",
	"SE": "sv", "DK": "da", "NO": "nb", "FI": "fi", "CZ": "cs", "GR": "el", "TR": "tr", "RU": "ru",
	"UA": "uk", "CN": "zh-CN", "TW": "zh-TW", "HK": "zh-HK", "JP": "ja", "KR": "ko", "VN": "vi",
	"TH": "th", "ID": "id", "GB": "en", "US": "en", "IE": "en", "AU": "en", "NZ": "en", "CA": "en",
	"SG": "en", "IN": "en", "ZA": "en", "IL": "he", "SA": "ar", "AE": "ar", "EG": "ar",
}

// CountryLanguage returns the usual language of country, or "".
func CountryLanguage(country string) string { return countryLanguages[country] }
