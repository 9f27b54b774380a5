package events

// Shipment events, from carriers and tracking aggregators (AfterShip today).
const (
	// ShipmentUpdated: a tracking checkpoint that needs no one's attention.
	ShipmentUpdated DetailType = "shipment.updated"
	// ShipmentException: the carrier reports a problem (exception, failed attempt, expired).
	ShipmentException DetailType = "shipment.exception"
	// ShipmentDelayed: the parcel is past its expected delivery date and not delivered.
	ShipmentDelayed DetailType = "shipment.delayed"
)

// Shipment is the data of every shipment.* event.
type Shipment struct {
	TrackingNumber string   `json:"tracking_number"`
	Carrier        string   `json:"carrier"` // carrier slug, e.g. "dhl"
	OrderID        string   `json:"order_id,omitempty"`
	Customer       Customer `json:"customer"`
	// Status is the aggregator's tag (InTransit, Exception, Delivered, …); SubStatus its subtag.
	Status             string       `json:"status"`
	SubStatus          string       `json:"sub_status,omitempty"`
	SubStatusMessage   string       `json:"sub_status_message,omitempty"`
	ExpectedDelivery   string       `json:"expected_delivery,omitempty"` // RFC 3339 date or time
	DestinationCountry string       `json:"destination_country,omitempty"`
	Checkpoints        []Checkpoint `json:"checkpoints,omitempty"` // oldest first
}

// Checkpoint is one carrier scan.
type Checkpoint struct {
	At       string `json:"at"` // RFC 3339
	Location string `json:"location,omitempty"`
	Message  string `json:"message"`
	Status   string `json:"status,omitempty"`
}
