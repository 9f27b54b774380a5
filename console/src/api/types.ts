// The API's JSON, as functions/api/views.go writes it.

export type TicketStatus = "open" | "pending" | "solved" | "closed";
export type Priority = "low" | "normal" | "high" | "urgent";
export type Category =
  | "payment_failed"
  | "chargeback"
  | "refund"
  | "shipping_exception"
  | "shipping_delay"
  | "shipment"
  | "customer_message";

export const statuses: TicketStatus[] = ["open", "pending", "solved", "closed"];
export const priorities: Priority[] = ["urgent", "high", "normal", "low"];
export const categories: Category[] = [
  "payment_failed",
  "chargeback",
  "refund",
  "shipping_exception",
  "shipping_delay",
  "shipment",
  "customer_message",
];

export interface Money {
  amount: number; // integer minor units
  currency: string; // ISO 4217, any case
}

export interface Customer {
  email?: string;
  name?: string;
  country?: string; // ISO 3166-1 alpha-2
}

export interface Me {
  email: string;
  name?: string;
  role: string;
  language?: string;
  merchant: { id: string; name: string; time_zone?: string };
}

export interface TicketSummary {
  id: string;
  subject: string;
  status: TicketStatus;
  category: Category;
  priority: Priority;
  customer: Customer;
  order_id?: string;
  assignee?: string;
  created_at: string;
  updated_at: string;
}

export interface TicketList {
  tickets: TicketSummary[];
  next_cursor?: string;
}

export interface Dispute {
  id: string;
  reason: string;
  status: string;
  amount: Money;
  evidence_due_by?: string;
}

export interface Refund {
  id?: string;
  status: string;
  amount: Money;
  reason?: string;
}

export interface PaymentView {
  payment_id: string;
  charge_id?: string;
  status: string;
  amount: Money;
  decline_code?: string;
  decline_reason?: string;
  dispute?: Dispute;
  refund?: Refund;
  last_event: string;
  as_of: string;
}

export interface Checkpoint {
  at: string;
  location?: string;
  message: string;
  status?: string;
}

export interface ShipmentView {
  carrier: string;
  tracking_number: string;
  status: string;
  sub_status_message?: string;
  expected_delivery?: string;
  checkpoints: Checkpoint[];
  as_of: string;
}

export type EntryKind = "event" | "customer" | "reply" | "note" | "status";

export interface EntryView {
  id: string;
  kind: EntryKind | string;
  at: string;
  event_type?: string;
  author?: string;
  body: string;
}

export interface TicketDetail extends TicketSummary {
  context: { order?: { id: string }; payment?: PaymentView; shipment?: ShipmentView };
  timeline: EntryView[];
  messages: EntryView[];
}

export interface TicketFilter {
  status?: TicketStatus | "";
  category?: Category | "";
  priority?: Priority | "";
}
