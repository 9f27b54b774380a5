package inbound

import (
	"slices"
	"testing"
)

func TestOrderNumbers(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		// Named by an order word or "#", in the languages the shop's customers write.
		{"hash", []string{"Where is #10482?"}, []string{"10482"}},
		{"hash with space", []string{"It's order # 10482"}, []string{"10482"}},
		{"order", []string{"order 10482 has not arrived"}, []string{"10482"}},
		{"Order No.", []string{"Re: Order No. 10482"}, []string{"10482"}},
		{"order number colon", []string{"Order number: 10482"}, []string{"10482"}},
		{"order id is", []string{"my order id is 104829"}, []string{"104829"}},
		{"Bestellung", []string{"Bestellung 10482 ist beschädigt"}, []string{"10482"}},
		{"Bestellnummer", []string{"Meine Bestellnummer: 10482"}, []string{"10482"}},
		{"Bestell-Nr.", []string{"Bestell-Nr. 10482"}, []string{"10482"}},
		{"Bestellung Nr.", []string{"zur Bestellung Nr. 10482"}, []string{"10482"}},
		{"commande n°", []string{"commande n° 10482"}, []string{"10482"}},
		{"numéro de commande", []string{"mon numéro de commande : 10482"}, []string{"10482"}},
		{"pedido", []string{"pedido 10482"}, []string{"10482"}},
		{"número de pedido", []string{"el número de pedido es 10482"}, []string{"10482"}},
		{"ordine", []string{"l'ordine n. 10482"}, []string{"10482"}},
		{"encomenda", []string{"Encomenda 91002: recebi"}, []string{"91002"}},
		{"bestelling", []string{"bestelling 10482"}, []string{"10482"}},
		{"zamówienie", []string{"zamówienie nr 10482"}, []string{"10482"}},
		{"заказ", []string{"мой заказ № 10482"}, []string{"10482"}},
		{"注文番号", []string{"注文番号 10482"}, []string{"10482"}},
		{"注文番号は…です", []string{"注文番号は10482です"}, []string{"10482"}},
		{"ご注文番号：", []string{"ご注文番号：10482"}, []string{"10482"}},
		{"订单号：", []string{"我的订单号：10482，谢谢"}, []string{"10482"}},
		{"订单号是", []string{"订单号是10482"}, []string{"10482"}},
		{"訂單號", []string{"訂單號 10482"}, []string{"10482"}},
		{"주문번호", []string{"주문번호 10482"}, []string{"10482"}},
		{"주문번호는", []string{"주문번호는 10482입니다"}, []string{"10482"}},
		{"shop prefix", []string{"order SO-10482"}, []string{"SO-10482"}},
		{"shop prefix alone", []string{"about SO-10482 please"}, []string{"SO-10482"}},
		{"shop prefix lower case after hash", []string{"#so-10482"}, []string{"SO-10482"}},
		{"4 digits", []string{"order 1048"}, []string{"1048"}},
		{"12 digits", []string{"order 104820000001"}, []string{"104820000001"}},
		{"order of appearance, no repeats", []string{"Re: order 222333", "I meant #111222, not order 222333; #111222 again"}, []string{"222333", "111222"}},
		{"several orders", []string{"orders: order 10482 and order 10483"}, []string{"10482", "10483"}},
		{"end of sentence", []string{"It was order 10482."}, []string{"10482"}},

		// Numbers that are not orders.
		{"bare number", []string{"I got 10482 emails"}, nil},
		{"phone", []string{"call me on +44 20 7946 0958 or 0176 12345678"}, nil},
		{"phone after hash-less order talk", []string{"about my order, call 030 1234567"}, nil},
		{"date", []string{"ordered on 2026-11-28, delivered 28.11.2026"}, nil},
		{"order word then date", []string{"order 2026-11-28"}, nil},
		{"price", []string{"I paid $119.00 and €1299,00, 10482 EUR"}, nil},
		{"order word then price", []string{"order 1299.00 total"}, nil},
		{"postcode", []string{"Mühlenstraße 12, 10115 Berlin; 75008 Paris; SW1A 1AA"}, nil},
		{"tracking", []string{"tracking 1Z999AA10123456784, DHL 00340434161094042557, JD014600006281234567"}, nil},
		{"tracking with hash", []string{"tracking #123456789012"}, nil},
		{"Sendungsnummer hash", []string{"Sendungsnummer # 123456789"}, nil},
		{"too short", []string{"order 123"}, nil},
		{"too long", []string{"order 1234567890123"}, nil},
		{"digits glued to letters", []string{"order 10482abc"}, nil},
		{"word containing order", []string{"reorder 10482, Nachbestellung 10483"}, nil},
		{"ticket tag", []string{"Re: [#T-1042] Where is it?", "[#1042]"}, nil},
		{"html entity", []string{"&#10482;"}, nil},
		{"C#", []string{"C#1234"}, nil},
		{"ordered", []string{"I ordered 10482 items"}, nil},
		{"Chinese phone", []string{"我的电话：13812345678"}, nil},
		{"Japanese postcode", []string{"〒100-0001 東京都"}, nil},
		{"empty", []string{""}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OrderNumbers(tt.in...); !slices.Equal(got, tt.want) {
				t.Errorf("OrderNumbers(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}
