import { describe, expect, it } from "vitest";
import { categories, type Category, type SubjectRef, type SubjectRefKind } from "../api/types";
import { translate, type Locale } from "./index";
import { fill, ticketSubject } from "./subjects";

const word = (locale: Locale, category: string, ref: SubjectRef | undefined, subject = "API subject") =>
  ticketSubject({ subject, category: category as Category, subject_ref: ref }, (k, v) => translate(locale, k, v));

const values: Record<Exclude<SubjectRefKind, "topic">, string> = {
  order: "10482",
  payment: "pi_3PQ8kLJw4nXb0aZt",
  parcel: "1Z9X48V20312658874",
  customer: "anna@example.de",
};

// [category, kind, English as shared/ticket/ticket.go Subject words it, Chinese]
const cases: [Category, Exclude<SubjectRefKind, "topic">, string, string][] = [
  ["payment_failed", "order", "Payment failed for order 10482", "订单 10482 支付失败"],
  ["payment_failed", "payment", "Payment failed for payment pi_3PQ8kLJw4nXb0aZt", "支付 pi_3PQ8kLJw4nXb0aZt 支付失败"],
  ["payment_failed", "parcel", "Payment failed for parcel 1Z9X48V20312658874", "运单 1Z9X48V20312658874 支付失败"],
  ["payment_failed", "customer", "Payment failed for anna@example.de", "anna@example.de 支付失败"],
  ["chargeback", "order", "Chargeback on order 10482", "订单 10482 拒付"],
  ["chargeback", "payment", "Chargeback on payment pi_3PQ8kLJw4nXb0aZt", "支付 pi_3PQ8kLJw4nXb0aZt 拒付"],
  ["chargeback", "parcel", "Chargeback on parcel 1Z9X48V20312658874", "运单 1Z9X48V20312658874 拒付"],
  ["chargeback", "customer", "Chargeback on anna@example.de", "anna@example.de 拒付"],
  ["refund", "order", "Refund on order 10482", "订单 10482 退款"],
  ["refund", "payment", "Refund on payment pi_3PQ8kLJw4nXb0aZt", "支付 pi_3PQ8kLJw4nXb0aZt 退款"],
  ["refund", "parcel", "Refund on parcel 1Z9X48V20312658874", "运单 1Z9X48V20312658874 退款"],
  ["refund", "customer", "Refund on anna@example.de", "anna@example.de 退款"],
  // A category named like a kind: their templates must not share a key.
  ["payment", "order", "Payment for order 10482", "订单 10482 的付款"],
  ["payment", "payment", "Payment for payment pi_3PQ8kLJw4nXb0aZt", "支付 pi_3PQ8kLJw4nXb0aZt 的付款"],
  ["payment", "parcel", "Payment for parcel 1Z9X48V20312658874", "运单 1Z9X48V20312658874 的付款"],
  ["payment", "customer", "Payment for anna@example.de", "anna@example.de 的付款"],
  ["shipping_exception", "order", "Delivery problem with order 10482", "订单 10482 配送异常"],
  ["shipping_exception", "payment", "Delivery problem with payment pi_3PQ8kLJw4nXb0aZt", "支付 pi_3PQ8kLJw4nXb0aZt 配送异常"],
  ["shipping_exception", "parcel", "Delivery problem with parcel 1Z9X48V20312658874", "运单 1Z9X48V20312658874 配送异常"],
  ["shipping_exception", "customer", "Delivery problem with anna@example.de", "anna@example.de 配送异常"],
  ["shipping_delay", "order", "Late delivery of order 10482", "订单 10482 配送延误"],
  ["shipping_delay", "payment", "Late delivery of payment pi_3PQ8kLJw4nXb0aZt", "支付 pi_3PQ8kLJw4nXb0aZt 配送延误"],
  ["shipping_delay", "parcel", "Late delivery of parcel 1Z9X48V20312658874", "运单 1Z9X48V20312658874 配送延误"],
  ["shipping_delay", "customer", "Late delivery of anna@example.de", "anna@example.de 配送延误"],
  ["shipment", "order", "Shipment update for order 10482", "订单 10482 物流更新"],
  ["shipment", "payment", "Shipment update for payment pi_3PQ8kLJw4nXb0aZt", "支付 pi_3PQ8kLJw4nXb0aZt 物流更新"],
  ["shipment", "parcel", "Shipment update for parcel 1Z9X48V20312658874", "运单 1Z9X48V20312658874 物流更新"],
  ["shipment", "customer", "Shipment update for anna@example.de", "anna@example.de 物流更新"],
  ["customer_message", "order", "Message about order 10482", "关于订单 10482 的消息"],
  ["customer_message", "payment", "Message about payment pi_3PQ8kLJw4nXb0aZt", "关于支付 pi_3PQ8kLJw4nXb0aZt 的消息"],
  ["customer_message", "parcel", "Message about parcel 1Z9X48V20312658874", "关于运单 1Z9X48V20312658874 的消息"],
  ["customer_message", "customer", "Message about anna@example.de", "关于 anna@example.de 的消息"],
];

describe("ticketSubject", () => {
  it("covers every category and kind", () => {
    for (const c of categories) {
      for (const k of Object.keys(values)) expect(cases.some(([cc, kk]) => cc === c && kk === k), `${c} × ${k}`).toBe(true);
    }
  });

  it.each(cases)("%s × %s: %j / %j", (category, kind, en, zh) => {
    const ref = { kind, value: values[kind] };
    expect(word("en", category, ref)).toBe(en);
    expect(word("zh-CN", category, ref)).toBe(zh);
  });

  it.each(categories)("%s × topic: the customer's subject line as written, in either language", (category) => {
    const ref = { kind: "topic" as const, value: "Wo ist mein Paket? 包裹在哪" };
    expect(word("en", category, ref)).toBe("Wo ist mein Paket? 包裹在哪");
    expect(word("zh-CN", category, ref)).toBe("Wo ist mein Paket? 包裹在哪");
  });

  it("falls back to the API's subject when subject_ref is absent, unknown or empty", () => {
    for (const locale of ["en", "zh-CN"] as const) {
      expect(word(locale, "payment_failed", undefined, "Payment failed for order 10482")).toBe("Payment failed for order 10482");
      expect(word(locale, "payment_failed", { kind: "invoice" as SubjectRefKind, value: "INV-1" })).toBe("API subject");
      expect(word(locale, "payment_failed", { kind: "order", value: "" })).toBe("API subject");
      expect(word(locale, "payment_failed", { kind: "customer", value: " " })).toBe("API subject");
      expect(word(locale, "payment_failed", { kind: "topic", value: "" })).toBe("API subject");
      expect(word(locale, "warranty_claim", { kind: "order", value: "10482" })).toBe("API subject");
      expect(word(locale, "payment_failed", null as unknown as SubjectRef)).toBe("API subject");
    }
  });

  it("spaces only where Han meets Latin, digits or symbols", () => {
    expect(fill("{ref}支付失败", "ref", "订单 10482")).toBe("订单 10482 支付失败");
    expect(fill("关于{ref}的消息", "ref", "#A-7")).toBe("关于 #A-7 的消息");
    expect(fill("关于{ref}的消息", "ref", "王芳")).toBe("关于王芳的消息");
    expect(fill("关于{ref}。", "ref", "x")).toBe("关于 x。");
    expect(fill("Refund on {ref}", "ref", "订单")).toBe("Refund on 订单");
    expect(fill("order {value}", "value", "a b")).toBe("order a b");
  });
});
