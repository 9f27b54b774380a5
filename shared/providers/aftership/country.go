package aftership

import (
	"strings"

	"golang.org/x/text/language"
)

// alpha2 converts the ISO 3166-1 alpha-3 codes AfterShip sends ("DEU") to the alpha-2 codes
// the catalog's Customer.Country uses ("DE"), through x/text's region table. Anything that
// is not an alpha-3 code of a country gives "" rather than a value in the wrong format
// (Shipment.DestinationCountry keeps AfterShip's code in every case).
func alpha2(iso3 string) string {
	if len(iso3) != 3 {
		return "" // ParseRegion reads alpha-2 and UN M.49 numeric codes too
	}
	region, err := language.ParseRegion(iso3)
	if err != nil || !region.IsCountry() || region.ISO3() != strings.ToUpper(iso3) {
		return ""
	}
	return region.String()
}
