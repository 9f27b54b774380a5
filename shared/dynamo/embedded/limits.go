package embedded

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/borderdesk/borderdesk/shared/dynamo"
)

// DynamoDB's size limits, which minidyn does not enforce. An item's size is the UTF-8 length
// of its attribute names plus the size of their values (see valueSize).
const (
	MaxItemBytes         = 400 << 10 // 400 KB
	MaxPartitionKeyBytes = 2048
	MaxSortKeyBytes      = 1024
	MaxTransactItems     = 100 // items of one TransactWriteItems
	MaxBatchWrites       = 25  // requests of one BatchWriteItem
)

// DynamoDB's own messages for a refused item or key, as its ValidationException says them
// (the missing space in "of2048" is DynamoDB's).
const (
	msgItemTooLarge = "Item size has exceeded the maximum allowed size"
	msgHashKey      = "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"
	msgRangeKey     = "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
	msgTransact     = "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100"
	msgBatch        = "Too many items requested for the BatchWriteItem call"
)

// limits sits in front of minidyn's handler and refuses, as DynamoDB does, items over 400 KB,
// keys over their limits, transactions of more than 100 items and batches of more than 25, so a test against the embedded table fails where AWS would.
// It checks what a request carries: the items of PutItem, of BatchWriteItem's puts and of
// TransactWriteItems' Puts, and every key (the table's and each index's key attributes of an
// item, the Key of other requests). It does not predict the size an UpdateItem's expression
// would grow an item to.
type limits struct {
	next          http.Handler
	partitionKeys []string // the table's and every index's key attributes
	sortKeys      []string
}

func newLimits(next http.Handler, schema dynamo.Schema) *limits {
	l := &limits{
		next:          next,
		partitionKeys: []string{schema.PartitionKey},
		sortKeys:      []string{schema.SortKey},
	}
	for _, ix := range schema.Indexes {
		l.partitionKeys = append(l.partitionKeys, ix.PartitionKey)
		if ix.SortKey != "" {
			l.sortKeys = append(l.sortKeys, ix.SortKey)
		}
	}
	return l
}

// request is the part of every checked request limits reads.
type request struct {
	Item         map[string]value `json:"Item"`
	Key          map[string]value `json:"Key"`
	RequestItems map[string][]struct {
		PutRequest    *struct{ Item map[string]value } `json:"PutRequest"`
		DeleteRequest *struct{ Key map[string]value }  `json:"DeleteRequest"`
	} `json:"RequestItems"`
	TransactItems []struct {
		Put            *struct{ Item map[string]value } `json:"Put"`
		Update         *struct{ Key map[string]value }  `json:"Update"`
		Delete         *struct{ Key map[string]value }  `json:"Delete"`
		ConditionCheck *struct{ Key map[string]value }  `json:"ConditionCheck"`
	} `json:"TransactItems"`
}

// value is an attribute value in DynamoDB's JSON wire form.
type value struct {
	S    *string          `json:"S"`
	N    *string          `json:"N"`
	B    []byte           `json:"B"` // base64 on the wire
	BOOL *bool            `json:"BOOL"`
	NULL *bool            `json:"NULL"`
	L    []value          `json:"L"`
	M    map[string]value `json:"M"`
	SS   []string         `json:"SS"`
	NS   []string         `json:"NS"`
	BS   [][]byte         `json:"BS"`
}

func (l *limits) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := r.Header.Get("X-Amz-Target")
	op = op[strings.LastIndex(op, ".")+1:]
	switch op {
	case "PutItem", "BatchWriteItem", "TransactWriteItems", "UpdateItem", "DeleteItem", "GetItem":
	default:
		l.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var req request
	if json.Unmarshal(body, &req) == nil { // a malformed request is minidyn's to refuse
		if msg := l.check(req); msg != "" {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{
				"__type": "com.amazon.coral.validate#ValidationException", "message": msg,
			})
			return
		}
	}
	l.next.ServeHTTP(w, r)
}

// check returns DynamoDB's message for the first limit req breaks, or "".
func (l *limits) check(req request) string {
	var items, keys []map[string]value
	if req.Item != nil {
		items = append(items, req.Item)
	}
	if req.Key != nil {
		keys = append(keys, req.Key)
	}
	for _, writes := range req.RequestItems {
		for _, wr := range writes {
			if wr.PutRequest != nil {
				items = append(items, wr.PutRequest.Item)
			}
			if wr.DeleteRequest != nil {
				keys = append(keys, wr.DeleteRequest.Key)
			}
		}
	}
	for _, ti := range req.TransactItems {
		switch {
		case ti.Put != nil:
			items = append(items, ti.Put.Item)
		case ti.Update != nil:
			keys = append(keys, ti.Update.Key)
		case ti.Delete != nil:
			keys = append(keys, ti.Delete.Key)
		case ti.ConditionCheck != nil:
			keys = append(keys, ti.ConditionCheck.Key)
		}
	}
	if len(req.TransactItems) > MaxTransactItems {
		return msgTransact
	}
	batch := 0
	for _, writes := range req.RequestItems {
		batch += len(writes)
	}
	if batch > MaxBatchWrites {
		return msgBatch
	}
	for _, item := range items {
		if itemSize(item) > MaxItemBytes {
			return msgItemTooLarge
		}
	}
	for _, k := range append(keys, items...) {
		if msg := l.checkKeys(k); msg != "" {
			return msg
		}
	}
	return ""
}

func (l *limits) checkKeys(item map[string]value) string {
	for _, name := range l.partitionKeys {
		if v, ok := item[name]; ok && valueSize(v) > MaxPartitionKeyBytes {
			return msgHashKey
		}
	}
	for _, name := range l.sortKeys {
		if v, ok := item[name]; ok && valueSize(v) > MaxSortKeyBytes {
			return msgRangeKey
		}
	}
	return ""
}

// itemSize is an item's size as DynamoDB counts it against its 400 KB limit: each attribute's
// name (UTF-8 bytes) plus its value.
func itemSize(item map[string]value) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

// valueSize follows DynamoDB's documented sizes: strings their UTF-8 bytes, binaries their
// bytes, numbers one byte per two significant digits plus one, booleans and null one byte,
// lists and maps three bytes plus one per element plus the elements (and a map's keys), sets
// the sum of their elements.
func valueSize(v value) int {
	switch {
	case v.S != nil:
		return len(*v.S)
	case v.N != nil:
		return numberSize(*v.N)
	case v.B != nil:
		return len(v.B)
	case v.BOOL != nil, v.NULL != nil:
		return 1
	case v.L != nil:
		n := 3
		for _, e := range v.L {
			n += 1 + valueSize(e)
		}
		return n
	case v.M != nil:
		n := 3
		for k, e := range v.M {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	case v.SS != nil:
		n := 0
		for _, s := range v.SS {
			n += len(s)
		}
		return n
	case v.NS != nil:
		n := 0
		for _, s := range v.NS {
			n += numberSize(s)
		}
		return n
	case v.BS != nil:
		n := 0
		for _, b := range v.BS {
			n += len(b)
		}
		return n
	}
	return 0
}

// numberSize is (significant digits + 1) / 2 + 1: leading and trailing zeros do not count.
func numberSize(n string) int {
	mantissa, _, _ := strings.Cut(strings.ToLower(n), "e")
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, mantissa)
	digits = strings.Trim(digits, "0")
	if digits == "" {
		return 1
	}
	return (len(digits)+1)/2 + 1
}
