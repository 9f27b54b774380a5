package embedded

import (
	"encoding/json"
	"testing"
)

func TestValueSize(t *testing.T) {
	tests := []struct {
		wire string
		want int
	}{
		{`{"S":"abc"}`, 3},
		{`{"S":"Grüße"}`, 7}, // UTF-8 bytes
		{`{"B":"AAEC"}`, 3},  // base64 of three bytes
		{`{"N":"12345"}`, 4},
		{`{"N":"-0.0012300"}`, 3}, // leading and trailing zeros do not count
		{`{"N":"0"}`, 1},
		{`{"BOOL":false}`, 1},
		{`{"NULL":true}`, 1},
		{`{"L":[]}`, 3},
		{`{"L":[{"S":"ab"},{"BOOL":true}]}`, 3 + (1 + 2) + (1 + 1)},
		{`{"M":{"key":{"S":"xy"}}}`, 3 + 1 + 3 + 2},
		{`{"SS":["a","bc"]}`, 3},
		{`{"NS":["1","22"]}`, 2 + 2},
	}
	for _, tt := range tests {
		t.Run(tt.wire, func(t *testing.T) {
			var v value
			if err := json.Unmarshal([]byte(tt.wire), &v); err != nil {
				t.Fatal(err)
			}
			if got := valueSize(v); got != tt.want {
				t.Errorf("valueSize(%s) = %d; want %d", tt.wire, got, tt.want)
			}
		})
	}
}
