/* coursebridge SCORM runtime (SCORM 1.2 and 2004), loaded only in packages.
 * The whole course is one SCO: the page the LMS launches keeps the API session and swaps
 * the other pages into <main>, since a SCO may initialise only once per launch.
 * It gives course.js window.CourseBridgeTracker: state in suspend_data (compact format,
 * docs/scorm.md), the learner's reflections (comments, builder/learner_work.py decodes
 * them), bookmark, status, score, interactions, session time.
 * Without an LMS it does nothing: course.js keeps progress in localStorage and says so.
 * With an LMS that refuses the session (it has ended: a reload), it says so and keeps nothing. */
(function () {
  "use strict";
  var body = document.body;
  var course = window.CourseBridgeCourse;
  var v12 = body.dataset.runtime === "scorm12";
  var api = course && findApi(v12 ? "API" : "API_1484_11");
  if (!api) return;

  var call = v12
    ? { init: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit", end: "LMSFinish", error: "LMSGetLastError" }
    : { init: "Initialize", get: "GetValue", set: "SetValue", commit: "Commit", end: "Terminate", error: "GetLastError" };
  var cmi = v12
    ? { location: "cmi.core.lesson_location", exit: "cmi.core.exit", session: "cmi.core.session_time", mode: "cmi.core.lesson_mode",
        score: "cmi.core.score.", status: "cmi.core.lesson_status", mastery: "cmi.student_data.mastery_score" }
    : { location: "cmi.location", exit: "cmi.exit", session: "cmi.session_time", mode: "cmi.mode",
        score: "cmi.score.", status: "cmi.completion_status", success: "cmi.success_status", mastery: "cmi.scaled_passing_score" };
  // 103: already initialised (2004). Other failures mostly mean this launch's session has
  // ended (101 in 1.2, 104 in 2004: the page was reloaded after pagehide terminated it).
  if (String(api[call.init]("")) !== "true" && String(api[call.error]()) !== "103") {
    notify(course.strings.session_ended);
    window.CourseBridgeTracker = { standalone: false, load: function () { return {}; }, save: function () {}, quizDone: function () {} };
    return;
  }

  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var B36 = "0123456789abcdefghijklmnopqrstuvwxyz";
  var LIMIT = v12 ? 4096 : 64000;  // suspend_data: CMIString4096 (1.2), characterstring SPM 64000 (2004)
  var SHORT_KEPT = 40;  // UTF-16 units of a wrong short answer kept for restoring it
  var pages = window.CourseBridgePages || [];  // _static/course-pages.js
  var started = Date.now();
  var terminated = false;
  var written = {};  // what the LMS accepted: a refused value is sent again at the next save
  var refused = false;  // a SetValue or Commit failed during this save
  var unsent = [];  // [element, value] of interactions the LMS refused, sent again in order
  var current = null;  // the learner's state (course.js's object), for saving texts on exit
  var bookmark = get(cmi.location);
  // Until the bookmarked page is shown, the launch page must not replace the bookmark.
  var resuming = bookmark !== body.dataset.page && /^[\w.-]+\.html$/.test(bookmark);
  var saved = get("cmi.suspend_data");
  var launchStatus = get(cmi.status);
  var reporting = /^(normal|)$/.test(get(cmi.mode));  // browse and review modes record no result
  var lmsPassing = parseFloat(get(cmi.mastery));
  var passing = isNaN(lmsPassing) ? course.passing : (v12 ? lmsPassing : lmsPassing * 100);

  // -- the LMS API, found as the SCORM run-time specifications describe --
  function scan(win, name) {
    for (var hops = 0; win && hops < 500; hops++) {
      try { if (win[name]) return win[name]; } catch (e) { /* a cross-origin frame: go on up */ }
      if (win.parent === win) return null;
      win = win.parent;
    }
    return null;
  }
  function findApi(name) {
    return scan(window, name) || (window.opener && scan(window.opener, name)) ||
      (window.top.opener && scan(window.top.opener, name)) || null;
  }
  function notify(text) {  // "" hides the notice
    var notice = document.getElementById("tracking-notice");
    if (notice.textContent !== text) notice.textContent = text;
    notice.hidden = !text;
  }
  function get(element) { return String(api[call.get](element) || ""); }
  function set(element, value) {
    value = String(value);
    if (written[element] === value) return;
    if (String(api[call.set](element, value)) === "true") written[element] = value;
    else refused = true;
  }
  function put(element, value) { return String(api[call.set](element, value)) === "true"; }
  function flushInteractions() {
    unsent = unsent.filter(function (pair) { return !put(pair[0], pair[1]); });
    if (unsent.length) refused = true;
  }
  function commit() {
    if (terminated) return;
    if (current) keepTexts(current);
    flushInteractions();
    set(cmi.session, duration(Date.now() - started));
    if (String(api[call.commit]("")) !== "true") refused = true;
  }
  function terminate() {
    if (terminated) return;
    if (current) keepTexts(current);
    flushInteractions();
    set(cmi.exit, "suspend");  // resume where the learner left, with their answers
    set(cmi.session, duration(Date.now() - started));
    api[call.end]("");
    terminated = true;
  }

  // -- time formats: 1.2 CMITimespan HHHH:MM:SS.SS, 2004 ISO 8601 duration --
  function pad(number, width) { return ("000" + number).slice(-width); }
  function duration(ms) {
    var cs = Math.round(ms / 10), hours = Math.floor(cs / 360000);
    var minutes = Math.floor(cs / 6000) % 60, seconds = (cs % 6000) / 100;
    if (!v12) return "PT" + (hours ? hours + "H" : "") + (minutes ? minutes + "M" : "") + seconds + "S";
    if (hours > 9999) return "9999:59:59.99";
    return pad(hours, 4) + ":" + pad(minutes, 2) + ":" + (seconds < 10 ? "0" : "") + seconds.toFixed(2);
  }
  function timestamp() {
    var now = new Date();
    if (!v12) return now.toISOString().slice(0, 22) + "Z";
    return pad(now.getHours(), 2) + ":" + pad(now.getMinutes(), 2) + ":" + pad(now.getSeconds(), 2);
  }

  // -- suspend_data: "1" layout | visited pages | quizzes | checklists (docs/scorm.md) --
  function bits(indexes, width) {
    var values = [];
    indexes.forEach(function (i) { values[i / 6 | 0] = (values[i / 6 | 0] || 0) | 1 << i % 6; });
    var text = "";
    for (var at = 0; at < (width || values.length); at++) text += B64[values[at] || 0];
    return width ? text : text.replace(/A+$/, "");
  }
  function unbits(text) {
    var indexes = [];
    for (var at = 0; at < text.length; at++) {
      for (var bit = 0; bit < 6; bit++) if (B64.indexOf(text[at]) & 1 << bit) indexes.push(at * 6 + bit);
    }
    return indexes;
  }
  function normalise(text, caseSensitive) {  // accents and extra spaces never matter
    text = String(text).normalize("NFD").replace(/\p{M}/gu, "").trim().replace(/\s+/g, " ");
    return caseSensitive ? text : text.toLocaleLowerCase();
  }
  function escapeText(text) {
    text = String(text).slice(0, SHORT_KEPT).replace(/[\uD800-\uDBFF]$/, "");
    return text.replace(/[^A-Za-z0-9_.-]/g, function (c) {
      var code = c.charCodeAt(0);
      return c === " " ? "+" : code < 256 ? "%" + pad(code.toString(16), 2) : "%u" + pad(code.toString(16), 4);
    });
  }
  function unescapeText(text) {
    return text.replace(/\+/g, " ").replace(/%u([0-9a-f]{4})|%([0-9a-f]{2})/g, function (match, long, short) {
      return String.fromCharCode(parseInt(long || short, 16));
    });
  }
  function encodeAnswer(meta, answer, keepTexts) {
    var none = answer === null || answer === undefined;
    switch (meta.type) {
      case "single": return none || Number(answer) >= 36 ? "-" : B36[answer];
      case "truefalse": return none ? "-" : answer === "true" ? "t" : "f";
      case "multiple": return bits((answer || []).filter(function (i) { return i < meta.choices; }), Math.ceil(meta.choices / 6));
      case "matching":
        for (var i = 0, text = ""; i < meta.pairs; i++) {
          var option = meta.options.indexOf((answer || [])[i]);
          text += option < 0 || option >= 36 ? "-" : B36[option];
        }
        return text;
    }
    var accepted = meta.answers.map(function (a) { return normalise(a, meta.caseSensitive); })
      .indexOf(normalise(none ? "" : answer, meta.caseSensitive));
    if (accepted >= 0 && accepted < 36) return "=" + B36[accepted];
    return (keepTexts && !none ? escapeText(answer) : "") + ",";
  }
  function decodeAnswers(quiz, text) {
    var at = 0;
    return quiz.questions.map(function (meta) {
      var c = text.charAt(at), width;
      switch (meta.type) {
        case "single": at++; return c === "-" || !c ? null : String(B36.indexOf(c));
        case "truefalse": at++; return c === "t" ? "true" : c === "f" ? "false" : null;
        case "multiple":
          width = Math.ceil(meta.choices / 6);
          at += width;
          return unbits(text.substr(at - width, width));
        case "matching":
          width = meta.pairs;
          at += width;
          return text.substr(at - width, width).split("").map(function (code) { return meta.options[B36.indexOf(code)] || ""; });
      }
      if (c === "=") { at += 2; return meta.answers[B36.indexOf(text.charAt(at - 1))] || ""; }
      var end = text.indexOf(",", at);
      if (end < 0) end = text.length;
      var value = unescapeText(text.slice(at, end));
      at = end + 1;
      return value;
    });
  }
  // detail 2: everything; 1: without wrong short answers' text; 0: without answers.
  function encode(state, detail) {
    var quizzes = course.quizzes.map(function (quiz) {
      var record = state.q[quiz.id];
      if (!record || !record.n) return "";
      var text = B36[Math.min(record.n, 35)] + pad(Math.round(record.s).toString(36), 2);
      if (detail && record.a) {
        text += quiz.questions.map(function (meta, i) { return encodeAnswer(meta, record.a[i], detail > 1); }).join("");
      }
      return text;
    });
    var checklists = course.checklists.map(function (list) {
      var values = state.c[list.id] || [], text = "";
      for (var i = 0; i < list.items; i++) text += values[i] >= 0 && values[i] < 36 ? B36[values[i]] : "-";
      return text.replace(/-+$/, "");
    });
    return "1" + course.layout + "|" + bits(state.v) + "|" + quizzes.join(";") + "|" + checklists.join(";");
  }
  function encodeWithinLimit(state) {
    for (var detail = 2; detail > 0; detail--) {
      var text = encode(state, detail);
      if (text.length <= LIMIT) return text;
    }
    return encode(state, 0);
  }
  function decode(text) {
    var state = { v: [], q: {}, c: {} };
    var parts = text.split("|");
    if (parts.length !== 4 || parts[0] !== "1" + course.layout) return state;  // another layout: start afresh
    state.v = unbits(parts[1]).filter(function (i) { return i < pages.length; });
    parts[2].split(";").forEach(function (entry, k) {
      var quiz = course.quizzes[k];
      if (!quiz || entry.length < 3) return;
      var record = { n: B36.indexOf(entry[0]), s: parseInt(entry.slice(1, 3), 36) };
      record.p = record.s >= quiz.passing;
      if (entry.length > 3) record.a = decodeAnswers(quiz, entry.slice(3));
      state.q[quiz.id] = record;
    });
    parts[3].split(";").forEach(function (text, k) {
      var list = course.checklists[k], values = [];
      if (!list) return;
      text.slice(0, list.items).split("").forEach(function (c, i) { if (c !== "-") values[i] = B36.indexOf(c); });
      if (values.length) state.c[list.id] = values;
    });
    return state;
  }

  // -- status and score: completed when every activity page is visited and every graded
  // quiz submitted; the score (graded quizzes, weighted by points) once all are submitted --
  function outcome(state) {
    var graded = course.quizzes.filter(function (quiz) { return quiz.graded; });
    var submitted = graded.filter(function (quiz) { return state.q[quiz.id] && state.q[quiz.id].n > 0; });
    var points = 0, earned = 0;
    submitted.forEach(function (quiz) { points += quiz.points; earned += quiz.points * state.q[quiz.id].s / 100; });
    var final = graded.length > 0 && submitted.length === graded.length;
    var done = state.v.length + submitted.length, total = pages.length + graded.length;
    return {
      completed: done >= total, progress: total ? done / total : 1,
      score: final ? Math.floor(10000 * earned / (points || 1)) / 100 : null  // never rounded up to a pass
    };
  }
  function report(state) {
    var result = outcome(state);
    if (result.score !== null) {
      set(cmi.score + "raw", result.score);
      set(cmi.score + "min", 0);
      set(cmi.score + "max", 100);
      if (!v12) set(cmi.score + "scaled", result.score / 100);
    }
    var passed = result.score !== null && result.score >= passing;
    if (v12) {
      // With a mastery score, Moodle turns "completed" into passed/failed from the raw
      // score: report passed/failed once the score is final, "completed" only without one.
      var status = result.score !== null ? (passed ? "passed" : "failed")
        : result.completed && !course.quizzes.some(function (quiz) { return quiz.graded; }) ? "completed" : "incomplete";
      if (status !== "incomplete" || !/^(passed|failed|completed)$/.test(launchStatus)) set(cmi.status, status);
      return;
    }
    if (result.completed || launchStatus !== "completed") {
      set(cmi.status, result.completed ? "completed" : "incomplete");
      set("cmi.progress_measure", Math.round(result.progress * 100) / 100);
    }
    if (result.score !== null) set(cmi.success, passed ? "passed" : "failed");
  }

  // -- interactions: one per question answered, in each version's formats and limits --
  function letter(index) { return "abcdefghijklmnopqrstuvwxyz0123456789".charAt(index) || null; }
  function fillIn(text) {
    text = String(text).replace(/\s+/g, " ").trim().replace(/\[[,.:]\]/g, " ").slice(0, v12 ? 255 : 250);
    return text.charAt(0) === "{" ? " " + text.slice(0, -1) : text;
  }
  function responses(question, meta, answer) {
    var list = v12 ? "," : "[,]", pair = v12 ? "." : "[.]";
    var none = answer === null || answer === undefined || answer === "";
    switch (question.type) {
      case "truefalse":
        var word = function (value) { return v12 ? (String(value) === "true" ? "t" : "f") : String(value); };
        return { type: "true-false", given: none ? null : word(answer), correct: [word(question.answer)] };
      case "single":
      case "multiple":
        var choices = function (indexes) { return [].concat(indexes).map(Number).map(letter).filter(Boolean).join(list); };
        return { type: "choice", given: none ? null : choices(answer), correct: [choices(question.answer)] };
      case "matching":
        var pairs = function (matches) {
          return matches.map(function (match, i) {
            var target = letter(meta.options.indexOf(match));
            return target && letter(i) ? letter(i) + pair + target : null;
          }).filter(Boolean).join(list);
        };
        return { type: "matching", given: pairs(answer || []) || null, correct: [pairs(question.answer)] };
    }
    var prefix = !v12 && question.caseSensitive ? "{case_matters=true}" : "";
    return { type: "fill-in", given: none ? null : fillIn(answer), correct: question.answer.slice(0, 5).map(function (a) { return prefix + fillIn(a); }) };
  }
  function questionText(quizId, questionId) {
    var legend = document.getElementById(quizId + "--" + questionId).querySelector("legend").cloneNode(true);
    legend.querySelectorAll(".question-number, .points").forEach(function (node) { node.remove(); });
    return fillIn(legend.textContent);
  }
  // Queued, then sent in order: what the LMS refuses waits for the next save (indexes kept).
  var interactionCount = Number(get("cmi.interactions._count")) || 0;
  function recordInteractions(quiz, outcomes, latencyMs) {
    var meta = course.quizzes.filter(function (q) { return q.id === quiz.id; })[0];
    outcomes.forEach(function (outcome, i) {
      var question = outcome.question;
      var prefix = "cmi.interactions." + interactionCount++ + ".";
      var response = responses(question, meta.questions[i], outcome.answer);
      var queue = function (name, value) { unsent.push([prefix + name, String(value)]); };
      queue("id", quiz.id + "--" + question.id);
      queue("type", response.type);
      queue(v12 ? "time" : "timestamp", timestamp());
      queue("weighting", question.points);
      if (response.given !== null) queue(v12 ? "student_response" : "learner_response", response.given);
      response.correct.forEach(function (pattern, k) { queue("correct_responses." + k + ".pattern", pattern); });
      queue("result", outcome.right ? "correct" : v12 ? "wrong" : "incorrect");
      queue("latency", duration(latencyMs));
      if (!v12) queue("description", "{lang=" + lang + "}" + questionText(quiz.id, question.id));
    });
  }

  // -- reflections, and a readable copy of the checklists' levels (builder/learner_work.py):
  // 2004, one cmi.comments_from_learner per answer, location "<activity>.<question>" (a
  // checklist's: its id); 1.2, records "[<key>] text" in cmi.comments, which Moodle appends
  // to instead of replacing: there, only records are added and the last of a key is its
  // text. Each text escaped to one line without a bare "{" (a 2004 comment may not start so). --
  var lang = document.documentElement.lang;
  var COMMENT_LIMIT = 4000;  // 2004: localized characterstring SPM 4000, after {lang=..}
  var COMMENTS_LIMIT = 4096;  // 1.2: cmi.comments is a CMIString4096
  var held = {};  // question key -> {text: what the LMS holds, index: its 2004 comment}
  var commentCount = 0;  // 2004: cmi.comments_from_learner._count
  var log = "";  // 1.2: cmi.comments as the LMS holds it
  var appends = null;  // 1.2: whether the LMS appends to cmi.comments (null: not known yet)
  var noRoom = {};  // keys of the answers too long for the LMS: they stay on this device
  function room(key, fits) { if (fits) delete noRoom[key]; else noRoom[key] = true; return fits; }
  function putText(element, value) { return put(element, value) || !(refused = true); }
  function escapeLine(text) {
    return String(text).replace(/\\/g, "\\\\").replace(/\r\n?/g, "\n").replace(/\n/g, "\\n").replace(/\{/g, "\\{");
  }
  function unescapeLine(text) {
    return text.replace(/\\([\s\S])/g, function (match, c) { return c === "n" ? "\n" : c; });
  }
  function readLog(text) {
    var texts = {};
    text.split("\n").forEach(function (line) {
      var record = /^\[([\w-]+(?:\.\d+)?)\] (.*)$/.exec(line);
      if (record) texts[record[1]] = { text: unescapeLine(record[2]) };
    });
    return texts;
  }
  function readTexts() {
    if (v12) {
      log = get("cmi.comments");
      held = readLog(log);
      return;
    }
    commentCount = Number(get("cmi.comments_from_learner._count")) || 0;
    for (var n = 0; n < commentCount; n++) {
      var prefix = "cmi.comments_from_learner." + n + ".";
      var body = get(prefix + "comment").replace(/^\{lang=[^}]*\}/, "");
      held[get(prefix + "location")] = { text: unescapeLine(body), index: n };
    }
  }
  // Each checklist's levels as the learner read them, for trainers: suspend_data has them too.
  function levelsText(list, k, values) {
    var scale = course.levels[k];
    for (var i = 0, words = []; i < list.items; i++) {
      words.push(scale.length ? scale[values[i]] || "—" : values[i] === 1 ? "✓" : "—");
    }
    return words.join("; ");
  }
  function textsByKey(state) {  // the answers as {key: answer}, checklists' levels first
    var wanted = {}, r = state.r || {};
    course.checklists.forEach(function (list, k) {
      if (state.c[list.id]) wanted[list.id] = levelsText(list, k, state.c[list.id]);
    });
    Object.keys(r).forEach(function (id) {
      (r[id] || []).forEach(function (text, i) {
        if (typeof text === "string") wanted[id + "." + (i + 1)] = text;
      });
    });
    return wanted;
  }
  function heldText(key) { return held[key] && typeof held[key].text === "string" ? held[key].text : ""; }
  // A refused write (not one too long) is told like any refused save, and tried again.
  function keepComment(key, text) {  // 2004
    var entry = held[key], body = escapeLine(text);
    if (!room(key, body.length <= COMMENT_LIMIT)) return;
    if (!entry) {
      if (!putText("cmi.comments_from_learner." + commentCount + ".location", key)) return;
      entry = held[key] = { text: null, index: commentCount++ };
    }
    var prefix = "cmi.comments_from_learner." + entry.index + ".";
    if (putText(prefix + "comment", "{lang=" + lang + "}" + body)) {
      entry.text = text;
      put(prefix + "timestamp", timestamp());
    }
  }
  function record(key, text) { return "[" + key + "] " + escapeLine(text); }
  function keepLog(wanted, changed) {  // 1.2
    var before = log;
    if (appends === null && log) {  // appending "" changes nothing; replacing empties it
      put("cmi.comments", "");
      appends = get("cmi.comments") === log;
    }
    if (appends) {
      changed.forEach(function (key) {
        var value = (log ? "\n" : "") + record(key, wanted[key]);
        if (room(key, value.length <= COMMENTS_LIMIT) && putText("cmi.comments", value)) log += value;
      });
    } else {  // replaced: the whole log, with every answer that fits
      var lines = [], length = -1;
      Object.keys(wanted).forEach(function (key) {
        var line = record(key, wanted[key]);
        if (room(key, !wanted[key] || length + 1 + line.length <= COMMENTS_LIMIT) && wanted[key]) {
          lines.push(line);
          length += 1 + line.length;
        }
      });
      log = lines.join("\n");
      if (!putText("cmi.comments", log)) {
        log = before;
        put("cmi.comments", before);  // never leave the LMS holding less than before
      }
    }
    held = readLog(log);
  }
  function keepTexts(state) {
    var wanted = textsByKey(state);
    var changed = Object.keys(wanted).filter(function (key) { return wanted[key] !== heldText(key); });
    if (!changed.length) return;
    if (v12) keepLog(wanted, changed);
    else changed.forEach(function (key) { keepComment(key, wanted[key]); });
  }
  function loadTexts() {
    var r = {};
    Object.keys(held).forEach(function (key) {
      var question = /^(.+)\.(\d+)$/.exec(key);  // checklists' keys have no number
      if (!question || typeof held[key].text !== "string") return;
      (r[question[1]] = r[question[1]] || [])[question[2] - 1] = held[key].text;
    });
    return r;
  }

  window.CourseBridgeTracker = {
    standalone: false,
    learner: get(v12 ? "cmi.core.student_id" : "cmi.learner_id"),  // scopes what stays on the device
    encode: encodeWithinLimit,  // also lets tests measure the encoding of any state
    load: function () {
      var state = decode(saved);
      if (pages.indexOf(bookmark) >= 0) state.l = pages.indexOf(bookmark);
      readTexts();
      state.r = loadTexts();
      current = state;
      return state;
    },
    // False when the LMS has no room for this answer: it stays only on this device.
    keptText: function (id, index) { return !noRoom[id + "." + (index + 1)]; },
    save: function (state, reason) {
      if (terminated) return;
      refused = false;
      flushInteractions();
      if (!resuming) set(cmi.location, body.dataset.page);
      set("cmi.suspend_data", encodeWithinLimit(state));
      if (reporting) report(state);
      if (reason !== "checklist") commit();  // ticks wait for the next page, quiz or exit
      notify(refused ? course.strings.save_failed : "");
    },
    quizDone: function (quiz, record, graded, latencyMs) {
      if (reporting && !terminated) recordInteractions(quiz, graded.outcomes, latencyMs);
    }
  };
  if (reporting && !/^(passed|failed|completed|incomplete)$/.test(launchStatus)) set(cmi.status, "incomplete");
  // Even a page going into the back-forward cache ends its session: the browser may drop
  // it from the cache without a word. Shown again, it says that tracking has ended.
  window.addEventListener("pagehide", terminate);
  window.addEventListener("pageshow", function (event) { if (event.persisted) notify(course.strings.session_ended); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") commit();
  });

  // -- one launch, many pages: swap each page's <main> in place --
  function pageOf(link) {
    var url = new URL(link.getAttribute("href"), location.href);
    var folder = location.href.replace(/[?#].*$/, "").replace(/[^/]*$/, "");
    var name = url.href.replace(/[?#].*$/, "").slice(folder.length);
    if (url.href.indexOf(folder) !== 0 || !/^[\w.-]+\.html$/.test(name)) return null;
    return { name: name, hash: url.hash };
  }
  function unavailable(name, hash) {
    var box = document.createElement("div"), text = document.createElement("p"), retry = document.createElement("a");
    box.className = "notice page-error";
    box.setAttribute("role", "alert");
    text.textContent = course.strings.page_unavailable;
    retry.href = name + hash;  // followed like any link: swapped in, session kept
    retry.textContent = course.strings.retry;
    box.append(text, retry);
    document.getElementById("main").prepend(box);
    box.scrollIntoView({ block: "nearest" });
  }
  // Each page shown gets its own history entry, so Back and Forward move inside the SCO;
  // `replace` for the bookmark shown at launch, none when the address is already the page's.
  function show(name, hash, replace) {
    document.querySelectorAll(".page-error").forEach(function (box) { box.remove(); });
    return fetch(name, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    }).then(function (html) {
      var incoming = new DOMParser().parseFromString(html, "text/html");
      var main = document.getElementById("main");
      main.innerHTML = incoming.getElementById("main").innerHTML;
      document.getElementById("toc").innerHTML = incoming.getElementById("toc").innerHTML;
      document.title = incoming.title;
      body.dataset.page = incoming.body.dataset.page;
      resuming = false;
      if (new URL(name + hash, location.href).href !== location.href) history[replace ? "replaceState" : "pushState"](null, "", name + hash);
      window.CourseBridge.enterPage();
      var anchor = hash && document.getElementById(decodeURIComponent(hash.slice(1)));
      main.focus({ preventScroll: true });
      if (anchor) anchor.scrollIntoView(); else window.scrollTo(0, 0);
    }).catch(function () { unavailable(name, hash); });  // navigating away would end the session
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var target = link.target ? null : pageOf(link);
    if (!target) {
      // Files and external links open beside the course: leaving would end the session.
      if (link.getAttribute("href").charAt(0) !== "#") { link.target = "_blank"; link.rel = "noopener"; }
      return;
    }
    if (target.name === body.dataset.page && target.hash) return;  // an anchor of this page
    event.preventDefault();
    show(target.name, target.hash);
  });
  window.addEventListener("popstate", function () {
    var name = location.pathname.replace(/^.*\//, "");
    if (name !== body.dataset.page && /^[\w.-]+\.html$/.test(name)) show(name, location.hash);
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (resuming) show(bookmark, "", true);
  });
})();
