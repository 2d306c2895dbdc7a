// County dashboard (县级指标看板): reads each service's indicator endpoints with the reader's
// bearer token and draws, per township, one bar chart per indicator (inline SVG) with its
// target as a line, and a summary table. No third-party code; see deploy/dashboard/__init__.py.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const TOKEN_KEY = "county-dashboard-token";
const TIMEOUT_MS = 30000;

// key: the table column and chart; source: the service asked; kind: rate (0..1) or count.
const INDICATORS = [
  { key: "pension", title: "城乡居民养老保险参保率", short: "养老参保率", kind: "rate", source: "enrollment", rule: "ENR-P1, ENR-P2" },
  { key: "medical_insurance", title: "城乡居民医疗保险参保率", short: "医保参保率", kind: "rate", source: "enrollment", rule: "ENR-M1, ENR-M5" },
  { key: "guarantee", title: "符合转诊住院报销比例达90%的占比", short: "90%达标率", kind: "rate", source: "medical", rule: "MED-2" },
  { key: "training_rate", title: "培训覆盖率", short: "培训覆盖率", kind: "rate", source: "employment", rule: "EMP-2" },
  { key: "recommendation_rate", title: "推荐覆盖率（本年已推荐岗位人数 / 推荐对象人数）", short: "推荐覆盖率", kind: "rate", source: "employment", rule: "EMP-3" },
  { key: "placement_rate", title: "培训后就业率", short: "培训后就业率", kind: "rate", source: "employment", rule: "EMP-2" },
  { key: "post_occupancy", title: "公益岗位上岗率", short: "公益岗位上岗率", kind: "rate", source: "employment", rule: "EMP-4" },
  { key: "two_without", title: "低保覆盖两无人员：未纳入低保或特困的两无人员", short: "两无未纳入低保", kind: "count", source: "welfare", rule: "WEL-8" },
  { key: "overdue", title: "低保逾期复核户数", short: "逾期复核", kind: "count", source: "welfare", rule: "WEL-2" },
];

let config = null;
let token = "";
let generation = 0;

const STATUS_ZH = { 401: "未登录或令牌过期", 403: "无权查看", 404: "未找到", 422: "该日期无法查询" };

class ApiError extends Error {
  constructor(status, detail) {
    const what = STATUS_ZH[status] || (status >= 500 ? "服务出错" : "");
    super(status ? `${what}（${status}${detail ? `：${detail}` : ""}）` : detail);
    this.status = status;
  }
}

function el(tag, attrs = {}, text = null) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  return node;
}

function num(value) {
  if (value === null || value === undefined || value === "") return null;
  const n = typeof value === "number" ? value : parseFloat(value);
  return Number.isFinite(n) ? n : null;
}

function format(kind, value) {
  if (value === null) return "—";
  return kind === "rate" ? `${(value * 100).toFixed(1)}%` : String(value);
}

function met(kind, value, target) {
  if (value === null || target === null) return null;
  return kind === "rate" ? value >= target : value <= target;
}

async function getJSON(service, path, params = {}) {
  const url = new URL(config.services[service] + path);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(url, {
      headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
      cache: "no-store",
      signal: abort.signal,
    });
  } catch (err) {
    throw new ApiError(0, `${service} 无法访问（${err.name === "AbortError" ? "超时" : "网络或跨域错误"}）`);
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    let detail = "";
    try {
      const problem = await response.json();
      detail = problem.detail || problem.title || "";
    } catch (_) {
      detail = response.statusText;
    }
    throw new ApiError(response.status, detail);
  }
  return response.json();
}

// --- what each service answers, as {values: {township: number|null}, total, target, note} ----

async function enrollment(scheme, year) {
  const body = await getJSON("enrollment", `/v1/reconciliation/${scheme}`, {
    year, division: config.county, group_by: "township",
  });
  const values = {};
  const details = {};
  for (const g of body.groups) {
    values[g.division] = num(g.enrollment_rate);
    details[g.division] = `应参保 ${g.eligible}，已参保 ${g.enrolled}，已缴费 ${g.paid}`;
  }
  return {
    values, details, total: num(body.total.enrollment_rate), target: 1,
    note: `${year}年度`,
  };
}

async function guarantee(year) {
  const body = await getJSON("medical", "/v1/indicators/guarantee", { county: config.county, year });
  const values = {};
  const details = {};
  for (const t of body.townships) {
    values[t.division] = num(t.share);
    details[t.division] = `符合转诊住院 ${t.compliant_stays} 次，达90% ${t.at_or_above_target} 次`;
  }
  return { values, details, total: num(body.total.share), target: 1, note: `${year}年入院` };
}

async function monthly(month) {
  const body = await getJSON("employment", "/v1/reports/monthly", { county: config.county, month });
  const figure = (area, key) => num(area.figures[key].value);
  const recommendation = (area) => {
    const base = figure(area, "recommendation_labourers");
    return base ? figure(area, "recommended") / base : null;
  };
  const out = {};
  for (const key of ["training_rate", "placement_rate", "post_occupancy"]) {
    const values = {};
    for (const t of body.townships) values[t.code] = figure(t, key);
    out[key] = {
      values, details: {}, total: figure(body.total, key),
      target: num(body.total.figures[key].target), note: `${body.month} 月报（截至 ${body.on}）`,
    };
  }
  const values = {};
  const details = {};
  for (const t of body.townships) {
    values[t.code] = recommendation(t);
    details[t.code] = `推荐对象 ${figure(t, "recommendation_labourers")} 人，已推荐 ${figure(t, "recommended")} 人`;
  }
  out.recommendation_rate = {
    values, details, total: recommendation(body.total), target: 1,
    note: `${body.recommendation_year}年推荐，截至 ${body.on}`,
  };
  return out;
}

async function twoWithout(on) {
  const runs = await getJSON("welfare", "/v1/crosscheck/runs", { county: config.county });
  const run = runs.filter((r) => r.on <= on).sort((a, b) => b.id - a.id)[0];
  if (!run) throw new ApiError(0, `${on} 及以前尚无动态管理比对（WEL-8）`);
  // The run covers the whole county: a township without findings has none uncovered.
  const values = Object.fromEntries(config.townships.map((t) => [t.code, 0]));
  for (const t of run.townships) {
    for (const k of t.by_kind) {
      if (k.kind === "two_without_not_on_dibao") values[t.township_code] = (values[t.township_code] || 0) + k.open;
    }
  }
  const total = Object.values(values).reduce((a, b) => a + b, 0);
  return {
    values, details: {}, total, target: 0,
    note: `比对 #${run.id}（${run.on}），未销号`,
  };
}

async function overdue(on) {
  const rows = await getJSON("welfare", "/v1/dibao/reviews/overdue", { on });
  const values = Object.fromEntries(config.townships.map((t) => [t.code, 0]));
  for (const r of rows) values[r.township_code] = (values[r.township_code] || 0) + 1;
  return { values, details: {}, total: rows.length, target: 0, note: `截至 ${on}` };
}

// --- drawing --------------------------------------------------------------------------------

function chart(ind, result) {
  const rowH = 26, left = 84, right = 64, top = 24, bottom = 22, width = 560;
  const rows = config.townships;
  const height = top + rows.length * rowH + bottom;
  const plot = width - left - right;
  const values = rows.map((t) => result.values[t.code] ?? null);
  let max = 1;
  if (ind.kind === "count") {
    max = Math.max(1, result.target ?? 0, ...values.filter((v) => v !== null));
  }
  const x = (v) => left + (Math.min(v, max) / max) * plot;
  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`, width, height, role: "img", class: "chart",
    "aria-label": `${ind.title}，分乡镇`,
  });
  // Axis and gridlines
  const ticks = ind.kind === "rate" ? [0, 0.5, 1] : [0, max];
  for (const t of ticks) {
    root.append(svg("line", { x1: x(t), x2: x(t), y1: top - 4, y2: height - bottom, class: "grid" }));
    root.append(svg("text", { x: x(t), y: height - 6, class: "tick" }, format(ind.kind, t)));
  }
  rows.forEach((t, i) => {
    const y = top + i * rowH;
    const value = values[i];
    const ok = met(ind.kind, value, result.target);
    root.append(svg("text", { x: left - 8, y: y + rowH / 2 + 4, class: "label" }, t.name));
    const group = svg("g", {
      class: `bar ${ok === null ? "none" : ok ? "met" : "unmet"}`,
      "data-division": t.code,
      "data-value": value === null ? "" : value,
    });
    const w = value === null ? 0 : Math.max(value > 0 ? 2 : 0, x(value) - left);
    group.append(svg("rect", { x: left, y: y + 4, width: w, height: rowH - 8, rx: 2 }));
    // Near the end of the scale the figure goes inside its bar, clear of the target line.
    const inside = w > plot - 44;
    group.append(svg("text", {
      x: inside ? left + w - 5 : left + w + 6, y: y + rowH / 2 + 4,
      class: inside ? "value inside" : "value",
    }, format(ind.kind, value)));
    const detail = result.details[t.code];
    group.append(svg("title", {}, `${t.name} ${ind.short} ${format(ind.kind, value)}${detail ? `（${detail}）` : ""}`));
    root.append(group);
  });
  if (result.target !== null) {
    const tx = x(result.target);
    root.append(svg("line", { x1: tx, x2: tx, y1: top - 6, y2: height - bottom, class: "target", "data-target": result.target }));
    const anchor = tx > width - right - 30 ? "end" : "start";
    root.append(svg("text", { x: anchor === "end" ? tx - 3 : tx + 3, y: top - 10, class: `target-label ${anchor}` }, `目标 ${format(ind.kind, result.target)}`));
  }
  return root;
}

function card(ind, result, error) {
  const node = el("article", { class: "card", id: `card-${ind.key}`, "data-indicator": ind.key });
  const head = el("header");
  head.append(el("h2", {}, ind.short));
  const total = error ? "" : `全县 ${format(ind.kind, result.total)}`;
  head.append(el("span", { class: "total", "data-value": error ? "" : result.total ?? "" }, total));
  node.append(head);
  node.append(el("p", { class: "subtitle" }, `${ind.title} · ${ind.rule}${error ? "" : ` · ${result.note}`}`));
  if (error) {
    node.dataset.state = "error";
    node.append(el("p", { class: "error" }, `无法取得：${error.message}`));
  } else {
    node.dataset.state = "ready";
    node.append(chart(ind, result));
  }
  return node;
}

function table(results, errors) {
  const tableNode = document.getElementById("summary");
  tableNode.replaceChildren();
  const head = el("tr");
  head.append(el("th", { scope: "col" }, "乡镇"));
  for (const ind of INDICATORS) head.append(el("th", { scope: "col" }, ind.short));
  tableNode.append(el("thead"));
  tableNode.tHead.append(head);
  const body = el("tbody");
  const rows = [...config.townships, { code: config.county, name: "全县", total: true }];
  for (const t of rows) {
    const tr = el("tr", t.total ? { class: "total" } : {});
    tr.append(el("th", { scope: "row", "data-division": t.code }, t.name));
    for (const ind of INDICATORS) {
      const result = results[ind.key];
      const value = result ? (t.total ? result.total : result.values[t.code] ?? null) : null;
      const ok = result ? met(ind.kind, value, result.target) : null;
      const td = el("td", {
        "data-indicator": ind.key,
        "data-division": t.code,
        "data-value": value === null ? "" : value,
        class: errors[ind.key] ? "error" : ok === null ? "none" : ok ? "met" : "unmet",
      }, errors[ind.key] ? "×" : format(ind.kind, value));
      tr.append(td);
    }
    body.append(tr);
  }
  tableNode.append(body);
}

// --- the county plan's targets (PLAN-1): every service's /v1/plan/targets --------------------

const PLAN_SERVICES = ["enrollment", "medical", "employment", "welfare"];
const SERVICE_ZH = { enrollment: "参保", medical: "医疗", employment: "就业", welfare: "民政" };
let planAnswers = [];

async function planTargets(on) {
  const settled = await Promise.allSettled(
    PLAN_SERVICES.map((s) => getJSON(s, "/v1/plan/targets", { county: config.county, on })));
  return settled.map((a, i) => ({
    service: PLAN_SERVICES[i],
    targets: a.status === "fulfilled" ? a.value.targets : [],
    error: a.status === "rejected" ? a.reason : null,
  }));
}

function planValue(unit, value) {
  const v = num(value);
  if (v === null) return "—";
  if (unit === "ratio") return `${(v * 100).toFixed(1)}%`;
  if (unit === "done") return v >= 1 ? "已完成" : "未完成";
  return String(v);
}

function targetsPanel() {
  const township = document.getElementById("plan-township").value;
  const head = ["服务", "目标任务", "依据", "牵头部门", "完成时限", "目标值", "当前值", "截止时值", "状态", "逾期"];
  const table = document.getElementById("targets");
  const thead = el("thead");
  const tr = el("tr");
  for (const h of head) tr.append(el("th", { scope: "col" }, h));
  thead.append(tr);
  const tbody = el("tbody");
  for (const answer of planAnswers) {
    if (answer.error) {
      const row = el("tr", { class: "unavailable", "data-service": answer.service });
      row.append(el("td", {}, SERVICE_ZH[answer.service]),
        el("td", { colspan: String(head.length - 1) }, `无法取得：${answer.error.message}`));
      tbody.append(row);
      continue;
    }
    for (const t of answer.targets) {
      let value = t.value;
      let atDue = t.value_at_due;
      let status = t.status_zh;
      let late = t.late;
      if (township) {
        const own = t.townships.find((r) => r.township_code === township);
        if (!own) continue;
        value = own.value;
        atDue = own.value_at_due;
        late = own.late;
        status = own.status ? own.status : "（全县目标）";
      }
      const row = el("tr", { "data-target": t.id, class: late ? "late" : "" });
      const target = t.unit === "done" ? "完成" : planValue(t.unit, t.target);
      row.append(
        el("td", {}, SERVICE_ZH[answer.service]),
        el("td", { title: t.quote }, t.title_zh),
        el("td", {}, t.citation),
        el("td", {}, t.lead),
        el("td", {}, t.due),
        el("td", {}, target),
        el("td", {}, planValue(t.unit, value)),
        el("td", {}, planValue(t.unit, atDue)),
        el("td", {}, status),
        el("td", { class: late ? "miss" : "ok" }, late ? "逾期" : "否"),
      );
      tbody.append(row);
    }
  }
  table.replaceChildren(thead, tbody);
}

// --- the page -------------------------------------------------------------------------------

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function chosenDate() {
  const on = new URLSearchParams(location.search).get("on");
  if (on && /^\d{4}-\d{2}-\d{2}$/.test(on)) return on;
  return config.default_on || today();
}

async function load() {
  const mine = ++generation;
  const on = document.getElementById("on").value;
  const year = on.slice(0, 4);
  const month = on.slice(0, 7);
  document.body.dataset.state = "loading";
  document.getElementById("status").textContent = "加载中…";
  document.getElementById("basis").textContent =
    `参保年度 ${year} · 住院年度 ${year} · 就业月报 ${month} · 低保 截至 ${on}`;
  const jobs = {
    pension: enrollment("pension", year),
    medical_insurance: enrollment("medical", year),
    guarantee: guarantee(year),
    employment: monthly(month),
    two_without: twoWithout(on),
    overdue: overdue(on),
    plan: planTargets(on),
  };
  const settled = await Promise.allSettled(Object.values(jobs));
  if (mine !== generation) return; // a newer date was chosen meanwhile
  const results = {};
  const errors = {};
  Object.keys(jobs).forEach((name, i) => {
    const s = settled[i];
    if (name === "plan") {
      planAnswers = s.status === "fulfilled" ? s.value : [];
      for (const a of planAnswers) if (a.error && a.error.status === 401) errors.plan = a.error;
      return;
    }
    const keys = name === "employment"
      ? ["training_rate", "recommendation_rate", "placement_rate", "post_occupancy"] : [name];
    for (const key of keys) {
      if (s.status === "fulfilled") results[key] = name === "employment" ? s.value[key] : s.value;
      else errors[key] = s.reason instanceof Error ? s.reason : new Error(String(s.reason));
    }
  });
  if (Object.values(errors).some((e) => e.status === 401)) {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin("令牌无效或已过期，请重新提供。");
    return;
  }
  const charts = document.getElementById("charts");
  charts.replaceChildren(...INDICATORS.map((ind) => card(ind, results[ind.key], errors[ind.key])));
  table(results, errors);
  targetsPanel();
  const failed = Object.keys(errors).length;
  document.getElementById("status").textContent = failed
    ? `${failed} 项指标无法取得` : `已更新 ${new Date().toLocaleTimeString("zh-CN", { hour12: false })}`;
  document.body.dataset.errors = String(failed);
  document.body.dataset.state = "ready";
}

function showLogin(message) {
  document.body.dataset.state = "login";
  document.getElementById("status").textContent = message;
  document.getElementById("login").hidden = false;
}

function takeToken() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const given = fragment.get("token");
  if (given) {
    sessionStorage.setItem(TOKEN_KEY, given);
    // Out of the address bar, the history and any screenshot.
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

async function start() {
  const response = await fetch("config.json", { cache: "no-store" });
  config = await response.json();
  document.getElementById("county-name").textContent = config.county_name;
  const picker = document.getElementById("on");
  picker.value = chosenDate();
  picker.addEventListener("change", () => {
    if (!picker.value) return;
    const query = new URLSearchParams(location.search);
    query.set("on", picker.value);
    history.replaceState(null, "", `${location.pathname}?${query}`);
    if (token) load();
  });
  document.getElementById("controls").addEventListener("submit", (e) => e.preventDefault());
  const township = document.getElementById("plan-township");
  for (const t of config.townships) township.append(el("option", { value: t.code }, t.name));
  township.addEventListener("change", targetsPanel);
  document.getElementById("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    token = document.getElementById("token").value.trim().replace(/^Bearer\s+/i, "");
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    document.getElementById("login").hidden = true;
    load();
  });
  token = takeToken();
  if (!token) {
    showLogin("需要令牌");
    return;
  }
  await load();
}

document.addEventListener("DOMContentLoaded", () => {
  start().catch((err) => {
    document.body.dataset.state = "error";
    document.getElementById("status").textContent = `出错：${err.message}`;
  });
});
