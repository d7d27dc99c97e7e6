import { defineMessages } from '../define.ts';

/**
 * Error messages by the API's stable `code` (errors.<code>): the `message` of a JSON error and of an
 * error page, in the caller's language. `{detail}` is the English specifics the thrower gave (a field,
 * an id, what was expected), kept because it names the exact thing; an AppError thrown with a message
 * key of its own (AppError.i18n) is translated whole instead.
 */
export const errors = defineMessages({
  en: {
    'errors.not_found': '{detail}',
    'errors.forbidden': '{detail}',
    'errors.unauthenticated': '{detail}',
    'errors.invalid_request': '{detail}',
    'errors.csrf': '{detail}',
    'errors.rate_limited': '{detail}',
    'errors.payload_too_large': '{detail}',
    'errors.internal_error': 'an unexpected error happened; the request id in the logs tells an operator where',
    'errors.other': '{detail}',
    'errors.invalidLocale': 'locale: use one of {locales}',
    'errors.signInFirst': 'sign in first, or send an API token as "Authorization: Bearer <token>"',
  },
  'zh-CN': {
    'errors.not_found': '未找到：{detail}',
    'errors.forbidden': '无权限：{detail}',
    'errors.unauthenticated': '需要登录：{detail}',
    'errors.invalid_request': '请求无效：{detail}',
    'errors.csrf': '表单已过期或来源无效，请刷新页面后重试：{detail}',
    'errors.rate_limited': '请求过于频繁，请稍后再试：{detail}',
    'errors.payload_too_large': '请求体过大：{detail}',
    'errors.internal_error': '发生了意外错误；日志中的请求 ID 可帮助管理员定位问题',
    'errors.other': '{detail}',
    'errors.invalidLocale': 'locale：请使用 {locales} 之一',
    'errors.signInFirst': '请先登录，或以 "Authorization: Bearer <token>" 发送 API 令牌',
  },
});
