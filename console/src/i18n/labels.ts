// Words for values that come from providers (Stripe, AfterShip) rather than from the console.
// Unknown values fall back to a readable form of the raw value, so a new provider status shows
// up as words rather than breaking anything.
import type { Locale } from "./index";

type Labels = Record<string, string>;

const declineEN: Labels = {
  insufficient_funds: "The card has insufficient funds.",
  card_declined: "The card was declined.",
  generic_decline: "The card was declined without a reason from the bank.",
  expired_card: "The card has expired.",
  incorrect_cvc: "The security code (CVC) was wrong.",
  incorrect_number: "The card number was wrong.",
  lost_card: "The card was reported lost.",
  stolen_card: "The card was reported stolen.",
  fraudulent: "The bank suspects fraud.",
  do_not_honor: "The bank refused the payment; the customer should call their bank.",
  authentication_required: "The bank asked for 3-D Secure authentication that was not completed.",
  processing_error: "The bank had a processing error; a retry may work.",
  card_velocity_exceeded: "The card's spending limit was reached.",
};

const declineZH: Labels = {
  insufficient_funds: "卡内余额不足。",
  card_declined: "银行卡被拒绝。",
  generic_decline: "银行卡被拒绝，银行未说明原因。",
  expired_card: "银行卡已过期。",
  incorrect_cvc: "安全码（CVC）错误。",
  incorrect_number: "卡号错误。",
  lost_card: "该卡已挂失。",
  stolen_card: "该卡已被报告被盗。",
  fraudulent: "银行怀疑存在欺诈。",
  do_not_honor: "银行拒绝了这笔付款，请客户联系发卡行。",
  authentication_required: "银行要求的 3-D Secure 验证未完成。",
  processing_error: "银行处理出错，重试可能成功。",
  card_velocity_exceeded: "已达到该卡的消费限额。",
};

const paymentStatusZH: Labels = {
  succeeded: "成功",
  failed: "失败",
  requires_payment_method: "需要新的支付方式",
  requires_action: "需要客户操作",
  processing: "处理中",
  canceled: "已取消",
  refunded: "已退款",
  partially_refunded: "部分退款",
  pending: "处理中",
  needs_response: "待答复",
  under_review: "审核中",
  won: "已胜诉",
  lost: "已败诉",
  warning_needs_response: "预警：待答复",
  disputed: "拒付中",
};

const shipmentStatusZH: Labels = {
  Pending: "待处理",
  InfoReceived: "已揽收信息",
  InTransit: "运输中",
  OutForDelivery: "派送中",
  AttemptFail: "派送失败",
  FailedAttempt: "派送失败",
  Delivered: "已签收",
  AvailableForPickup: "待自提",
  Exception: "异常",
  Expired: "已过期",
};

// Stripe's dispute reasons.
const disputeReasonEN: Labels = {
  bank_cannot_process: "Bank cannot process",
  check_returned: "Check returned",
  credit_not_processed: "Refund not processed",
  customer_initiated: "Initiated by the customer",
  debit_not_authorized: "Debit not authorized",
  duplicate: "Duplicate charge",
  fraudulent: "Fraudulent",
  general: "General",
  incorrect_account_details: "Incorrect account details",
  insufficient_funds: "Insufficient funds",
  product_not_received: "Product not received",
  product_unacceptable: "Product unacceptable",
  subscription_canceled: "Subscription canceled",
  unrecognized: "Unrecognized charge",
};

const disputeReasonZH: Labels = {
  bank_cannot_process: "银行无法处理",
  check_returned: "支票被退回",
  credit_not_processed: "退款未处理",
  customer_initiated: "客户发起",
  debit_not_authorized: "扣款未经授权",
  duplicate: "重复扣款",
  fraudulent: "欺诈交易",
  general: "一般原因",
  incorrect_account_details: "账户信息有误",
  insufficient_funds: "余额不足",
  product_not_received: "未收到商品",
  product_unacceptable: "商品不符合描述",
  subscription_canceled: "订阅已取消",
  unrecognized: "无法识别的扣款",
};

const tables: Record<string, Partial<Record<Locale, Labels>>> = {
  decline: { en: declineEN, "zh-CN": declineZH },
  disputeReason: { en: disputeReasonEN, "zh-CN": disputeReasonZH },
  paymentStatus: { "zh-CN": paymentStatusZH },
  shipmentStatus: { "zh-CN": shipmentStatusZH },
};

/** humanize turns "requires_payment_method" or "OutForDelivery" into "Requires payment method". */
export function humanize(raw: string): string {
  const words = raw
    .replace(/_/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function label(table: keyof typeof tables, raw: string | undefined, locale: Locale): string | undefined {
  if (!raw) return undefined;
  return tables[table][locale]?.[raw];
}

/** declineReason prefers the console's words for a decline code, then the API's. */
export function declineReason(code: string | undefined, apiText: string | undefined, locale: Locale): string {
  return label("decline", code, locale) ?? apiText ?? (code ? humanize(code) : "");
}

export function paymentStatus(raw: string, locale: Locale): string {
  return label("paymentStatus", raw, locale) ?? humanize(raw);
}

export function disputeReason(raw: string, locale: Locale): string {
  return label("disputeReason", raw, locale) ?? humanize(raw);
}

export function shipmentStatus(raw: string, locale: Locale): string {
  return label("shipmentStatus", raw, locale) ?? humanize(raw);
}

export function carrierName(raw: string): string {
  if (!raw) return "";
  return raw.length <= 4 ? raw.toUpperCase() : raw.charAt(0).toUpperCase() + raw.slice(1);
}
