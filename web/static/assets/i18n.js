// Interface text in English and Chinese. The UI follows the interview's
// language unless the person chose one with the switch (remembered in this
// browser). The dictionary below is strict JSON between the markers: a Go
// test checks both languages have every key the app uses.
const strings = /* strings:begin */{
  "en": {
    "skip": "Skip to content",
    "nav.start": "Start an interview",
    "title.start": "mianshi · Start an interview",
    "title.interview": "mianshi · Interview",
    "title.report": "mianshi · Report",
    "title.hr": "mianshi · HR",
    "error.load": "The server could not be reached.",
    "banner.reconnecting": "Connection lost. Reconnecting… nothing you have done is lost.",
    "notfound.title": "Page not found",
    "notfound.body": "There is no page at this address.",
    "link.title": "This link is incomplete",
    "link.body": "An interview link carries its key after a # sign. Open the whole link you were given.",
    "level.junior": "Junior",
    "level.mid": "Mid-level",
    "level.senior": "Senior",
    "state.generating": "Writing",
    "state.awaiting_answer": "Awaiting answer",
    "state.evaluating": "Evaluating",
    "state.completed": "Completed",
    "state.abandoned": "Abandoned",
    "state.failed": "Failed",
    "start.title": "Start an interview",
    "start.lead": "An AI interviewer asks one question at a time, scores each answer and writes a report. Close the tab at any time: your link brings you back to the same place.",
    "start.offline": "Interviewer: offline (built-in and deterministic, from the question bank; no AI model is used).",
    "start.model": "Interviewer: AI model {model}.",
    "start.recent": "Your interviews on this device",
    "start.name": "Your name",
    "start.name.required": "Please enter your name.",
    "start.email": "E-mail (optional)",
    "start.email.hint": "Only the hiring team sees it.",
    "start.track": "Track",
    "start.level": "Level",
    "start.language": "Interview language",
    "start.rounds": "Rounds",
    "start.submit": "Start the interview",
    "resume.legend": "Résumé (optional)",
    "resume.file": "Upload your résumé",
    "resume.hint": "PDF, DOCX, TXT or Markdown, up to 5 MB. The interviewer may ask about your projects.",
    "resume.reading": "Reading your résumé…",
    "resume.profile": "What we read from your résumé",
    "resume.use": "Use this résumé in the interview",
    "resume.name": "Name",
    "resume.years": "Years of experience",
    "resume.skills": "Skills",
    "resume.projects": "Projects",
    "resume.education": "Education",
    "resume.languages": "Languages",
    "interview.title": "Interview",
    "interview.round": "Round {n} of {max}",
    "interview.question": "Question {n}",
    "interview.waiting": "Next question",
    "interview.followup": "Follow-up",
    "interview.sources": "Sources (question bank)",
    "interview.answer": "Your answer",
    "interview.hint": "Press Ctrl+Enter (⌘+Enter on a Mac) to send.",
    "interview.send": "Send answer",
    "interview.end": "End the interview",
    "interview.end.confirm": "End the interview now? Your report will cover the rounds answered so far.",
    "interview.empty": "Write an answer first.",
    "interview.retrying": "Could not reach the server; trying again…",
    "interview.ready": "Question {n} is ready.",
    "interview.history": "Earlier rounds",
    "interview.youranswer": "Your answer",
    "interview.feedback": "Feedback",
    "interview.score": "{score}/10",
    "interview.evaluating": "Evaluating…",
    "interview.over": "The interview is over",
    "interview.over.completed": "Thank you. Your report is ready.",
    "interview.over.abandoned": "The interview ended because no answer came for a long time. The report covers the rounds answered.",
    "interview.report": "See your report",
    "status.connecting": "Connecting…",
    "status.preparing": "The interviewer is choosing the next question…",
    "status.writing": "The interviewer is writing…",
    "status.reporting": "The interviewer is writing your report…",
    "status.yourturn": "Your turn: answer below.",
    "status.sending": "Sending your answer…",
    "status.evaluating": "Evaluating your answer…",
    "status.ending": "Ending the interview…",
    "status.completed": "The interview is complete.",
    "status.abandoned": "The interview was abandoned.",
    "status.failed": "The interview stopped because of an error.",
    "status.awaiting_answer.hr": "Waiting for the candidate's answer.",
    "report.title": "Interview report",
    "report.overall": "Overall score",
    "report.chart": "Score per round",
    "report.strengths": "Strengths",
    "report.improvements": "To improve",
    "report.rounds": "Round by round",
    "report.print": "Print or save as PDF",
    "report.back": "Back to the interview",
    "report.notready": "The report is written when the interview ends.",
    "report.failed": "The interview failed, so there is no report.",
    "chart.label": "Score per round (out of 10)",
    "chart.round": "round {n}: {score}",
    "hr.title": "Interviews",
    "hr.signin": "Sign in as HR",
    "hr.signin.hint": "Use the HR token (MIANSHI_HR_TOKEN; in dev, the file data/hr-token). It is kept in a secure cookie for 12 hours.",
    "hr.token": "HR token",
    "hr.signin.button": "Sign in",
    "hr.signout": "Sign out",
    "hr.disabled": "HR access is off on this server: set MIANSHI_HR_TOKEN.",
    "hr.filters": "Filters",
    "hr.any": "Any",
    "hr.status": "Status",
    "hr.track": "Track",
    "hr.level": "Level",
    "hr.minscore": "Score from",
    "hr.maxscore": "Score to",
    "hr.from": "Started on or after",
    "hr.to": "Started on or before",
    "hr.candidate": "Candidate name or e-mail",
    "hr.apply": "Apply filters",
    "hr.reset": "Clear",
    "hr.col.candidate": "Candidate",
    "hr.col.round": "Round",
    "hr.col.score": "Score",
    "hr.col.started": "Started",
    "hr.empty": "No interview matches these filters.",
    "hr.prev": "Previous page",
    "hr.next": "Next page",
    "hr.page": "Page {n}",
    "hr.source.visibility": "Found with Temporal visibility: {query}",
    "hr.source.database": "Found in the database (searches by name or e-mail never enter Temporal).",
    "hr.close": "Close",
    "hr.email": "E-mail",
    "hr.id": "Interview id",
    "hr.temporal": "Open its history in Temporal UI",
    "hr.transcript": "Transcript",
    "hr.notranscript": "No round has been answered yet."
  },
  "zh": {
    "skip": "跳到正文",
    "nav.start": "开始面试",
    "title.start": "面试 · 开始",
    "title.interview": "面试 · 进行中",
    "title.report": "面试 · 报告",
    "title.hr": "面试 · HR",
    "error.load": "无法连接服务器。",
    "banner.reconnecting": "连接中断，正在重新连接……你的进度不会丢失。",
    "notfound.title": "页面不存在",
    "notfound.body": "这个地址没有页面。",
    "link.title": "链接不完整",
    "link.body": "面试链接在 # 号之后带有密钥，请打开收到的完整链接。",
    "level.junior": "初级",
    "level.mid": "中级",
    "level.senior": "高级",
    "state.generating": "出题中",
    "state.awaiting_answer": "等待作答",
    "state.evaluating": "评分中",
    "state.completed": "已完成",
    "state.abandoned": "已放弃",
    "state.failed": "失败",
    "start.title": "开始面试",
    "start.lead": "AI 面试官每次提一个问题，为每个回答打分，最后写出报告。随时可以关闭页面：用你的链接回来，会回到同一个位置。",
    "start.offline": "面试官：离线模式（内置、确定性，题目来自题库；不使用 AI 模型）。",
    "start.model": "面试官：AI 模型 {model}。",
    "start.recent": "你在本设备上的面试",
    "start.name": "姓名",
    "start.name.required": "请填写姓名。",
    "start.email": "电子邮箱（可选）",
    "start.email.hint": "只有招聘团队能看到。",
    "start.track": "方向",
    "start.level": "级别",
    "start.language": "面试语言",
    "start.rounds": "轮数",
    "start.submit": "开始面试",
    "resume.legend": "简历（可选）",
    "resume.file": "上传简历",
    "resume.hint": "PDF、DOCX、TXT 或 Markdown，最大 5 MB。面试官可能会问到你的项目。",
    "resume.reading": "正在读取简历……",
    "resume.profile": "从简历中读到的信息",
    "resume.use": "在面试中使用这份简历",
    "resume.name": "姓名",
    "resume.years": "工作年限",
    "resume.skills": "技能",
    "resume.projects": "项目",
    "resume.education": "教育经历",
    "resume.languages": "语言",
    "interview.title": "面试",
    "interview.round": "第 {n} 轮，共 {max} 轮",
    "interview.question": "第 {n} 题",
    "interview.waiting": "下一题",
    "interview.followup": "追问",
    "interview.sources": "出处（题库）",
    "interview.answer": "你的回答",
    "interview.hint": "按 Ctrl+Enter（Mac 上 ⌘+Enter）发送。",
    "interview.send": "发送回答",
    "interview.end": "结束面试",
    "interview.end.confirm": "现在结束面试吗？报告将只包含已回答的轮次。",
    "interview.empty": "请先写下回答。",
    "interview.retrying": "无法连接服务器，正在重试……",
    "interview.ready": "第 {n} 题已出好。",
    "interview.history": "之前的轮次",
    "interview.youranswer": "你的回答",
    "interview.feedback": "反馈",
    "interview.score": "{score}/10 分",
    "interview.evaluating": "评分中……",
    "interview.over": "面试已结束",
    "interview.over.completed": "谢谢！你的报告已生成。",
    "interview.over.abandoned": "由于长时间没有回答，面试已结束。报告包含已回答的轮次。",
    "interview.report": "查看报告",
    "status.connecting": "正在连接……",
    "status.preparing": "面试官正在挑选下一题……",
    "status.writing": "面试官正在出题……",
    "status.reporting": "面试官正在撰写报告……",
    "status.yourturn": "轮到你了：请在下方作答。",
    "status.sending": "正在发送回答……",
    "status.evaluating": "正在评估你的回答……",
    "status.ending": "正在结束面试……",
    "status.completed": "面试已完成。",
    "status.abandoned": "面试已放弃。",
    "status.failed": "面试因错误而中止。",
    "status.awaiting_answer.hr": "等待候选人作答。",
    "report.title": "面试报告",
    "report.overall": "总分",
    "report.chart": "每轮得分",
    "report.strengths": "优势",
    "report.improvements": "待提高",
    "report.rounds": "逐轮回顾",
    "report.print": "打印或保存为 PDF",
    "report.back": "返回面试",
    "report.notready": "面试结束后才会生成报告。",
    "report.failed": "面试失败，因此没有报告。",
    "chart.label": "每轮得分（满分 10 分）",
    "chart.round": "第 {n} 轮：{score} 分",
    "hr.title": "面试列表",
    "hr.signin": "HR 登录",
    "hr.signin.hint": "使用 HR 令牌（MIANSHI_HR_TOKEN；开发模式下在 data/hr-token 文件中）。它会保存在安全 Cookie 中 12 小时。",
    "hr.token": "HR 令牌",
    "hr.signin.button": "登录",
    "hr.signout": "退出登录",
    "hr.disabled": "此服务器未开启 HR 访问：请设置 MIANSHI_HR_TOKEN。",
    "hr.filters": "筛选",
    "hr.any": "全部",
    "hr.status": "状态",
    "hr.track": "方向",
    "hr.level": "级别",
    "hr.minscore": "最低分",
    "hr.maxscore": "最高分",
    "hr.from": "开始日期不早于",
    "hr.to": "开始日期不晚于",
    "hr.candidate": "候选人姓名或邮箱",
    "hr.apply": "应用筛选",
    "hr.reset": "清除",
    "hr.col.candidate": "候选人",
    "hr.col.round": "轮次",
    "hr.col.score": "得分",
    "hr.col.started": "开始时间",
    "hr.empty": "没有符合条件的面试。",
    "hr.prev": "上一页",
    "hr.next": "下一页",
    "hr.page": "第 {n} 页",
    "hr.source.visibility": "通过 Temporal 可见性查询找到：{query}",
    "hr.source.database": "在数据库中找到（按姓名或邮箱的搜索不会进入 Temporal）。",
    "hr.close": "关闭",
    "hr.email": "电子邮箱",
    "hr.id": "面试编号",
    "hr.temporal": "在 Temporal UI 中查看其历史",
    "hr.transcript": "问答记录",
    "hr.notranscript": "还没有回答任何一轮。"
  }
}/* strings:end */;

const listeners = [];
const storageKey = 'mianshi.lang';
let current = 'en';

// t translates a key, filling {name} placeholders from args.
export function t(key, args) {
  const s = strings[current][key] ?? strings.en[key] ?? key;
  return args ? s.replace(/\{(\w+)\}/g, (m, k) => (k in args ? String(args[k]) : m)) : s;
}

// lang is the UI language: "en" or "zh".
export function lang() {
  return current;
}

// otherLang is the language the switch offers.
export function otherLang() {
  return current === 'zh' ? 'en' : 'zh';
}

function saved() {
  try {
    return localStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

// hasChosenLang reports whether the person picked a language with the switch.
export function hasChosenLang() {
  return saved() === 'en' || saved() === 'zh';
}

// chooseLang picks the UI language: the person's choice, else the
// interview's language, else the browser's.
export function chooseLang(context) {
  if (hasChosenLang()) return saved();
  if (context === 'en' || context === 'zh') return context;
  return (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

// setLang switches the UI language; chosen remembers it as the person's choice.
export function setLang(l, { chosen = false } = {}) {
  if (l !== 'en' && l !== 'zh') return;
  if (chosen) {
    try {
      localStorage.setItem(storageKey, l);
    } catch {
      // Storage off: the choice lasts until the page closes.
    }
  }
  const changed = l !== current;
  current = l;
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  if (changed) listeners.forEach((fn) => fn(l));
}

// onLangChange calls fn after every switch of language.
export function onLangChange(fn) {
  listeners.push(fn);
}
