package dynamo

// Schema is the one table's shape: its keys, indexes and TTL attribute. The local runtime
// creates the table from it and the CDK stack declares it from it, so they cannot drift.
type Schema struct {
	PartitionKey string
	SortKey      string
	Indexes      []Index
	// TTLAttribute holds an epoch-seconds expiry. TTL is a cloud-only table setting: the
	// local server (minidyn) keeps expired items.
	TTLAttribute string
}

// Index is a global secondary index projecting all attributes. Items without the index's
// partition key are not in it (sparse).
type Index struct {
	Name         string
	PartitionKey string
	SortKey      string
}

// Index names.
const (
	// IndexInbox lists a merchant's tickets, newest activity first: pk "M#<merchant>#TICKETS",
	// sk "<updated_at>#<ticket id>".
	IndexInbox = "inbox"
	// IndexStatus lists a merchant's tickets in one status: pk "M#<merchant>#STATUS#<status>".
	IndexStatus = "by_status"
	// IndexPriority lists a merchant's tickets most urgent first, then newest activity:
	// pk "M#<merchant>#TICKETS", sk "<priority rank>#<updated_at>#<ticket id>".
	IndexPriority = "by_priority"
	// IndexOutbox lists undelivered outbox items of every merchant, oldest first (pk
	// "OUTBOX"): sparse, holding only outbox items. The local runtime relays from it; in the
	// cloud the stream relays and a sweep of this index catches what the stream could not.
	IndexOutbox = "outbox"
)

// Table is Borderdesk's table. Every key begins with "M#<merchant id>#", so no query can
// cross tenants by accident.
var Table = Schema{
	PartitionKey: "pk",
	SortKey:      "sk",
	Indexes: []Index{
		{Name: IndexInbox, PartitionKey: "gsi1pk", SortKey: "gsi1sk"},
		{Name: IndexStatus, PartitionKey: "gsi2pk", SortKey: "gsi2sk"},
		{Name: IndexPriority, PartitionKey: "gsi3pk", SortKey: "gsi3sk"},
		{Name: IndexOutbox, PartitionKey: "obpk", SortKey: "obsk"},
		{Name: IndexAgent, PartitionKey: "agpk", SortKey: "agsk"}, // agent queues and search: see inbox.go
		{Name: IndexRef, PartitionKey: "rfpk", SortKey: "rfsk"},
	},
	TTLAttribute: "expires_at",
}
