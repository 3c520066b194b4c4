/* coursebridge learner script: progress, resume, quizzes, self-assessments.
 * Progressive enhancement: every page reads fine without it.
 * Tracking goes through window.CourseBridgeTracker when a package runtime provides one,
 * else through localStorage (the web build, or a package played without an LMS). */
(function () {
  "use strict";
  var body = document.body;
  var pages = window.CourseBridgePages || [];  // _static/course-pages.js

  function localTracker() {
    var key = "coursebridge:" + body.dataset.course + ":" + body.dataset.version;
    return {
      standalone: true,
      load: function () {
        try { return JSON.parse(localStorage.getItem(key)) || {}; } catch (e) { return {}; }
      },
      save: function (state) {
        try { localStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* private mode */ }
      },
      quizDone: function () {}
    };
  }

  var tracker = window.CourseBridgeTracker || localTracker();
  var state = tracker.load();
  state.v = state.v || [];   // indexes of visited activity pages
  state.q = state.q || {};   // quiz id -> {a: answers, s: score, n: attempts, p: passed}
  state.c = state.c || {};   // checklist id -> chosen levels
  function save(reason) { tracker.save(state, reason); }

  // -- progress and resume --
  function markVisited() {
    var index = pages.indexOf(body.dataset.page);
    if (index >= 0) {
      if (state.v.indexOf(index) < 0) state.v.push(index);
      state.l = index;
    }
  }
  function showProgress() {
    var bar = document.getElementById("progress-bar");
    var label = document.getElementById("progress-label");
    if (bar) {
      bar.value = state.v.length;
      label.textContent = label.dataset.template
        .replace("{done}", state.v.length).replace("{total}", pages.length);
      bar.parentNode.hidden = false;
    }
    document.querySelectorAll("[data-page-link]").forEach(function (link) {
      if (state.v.indexOf(pages.indexOf(link.dataset.pageLink)) >= 0) link.classList.add("visited");
    });
    var start = document.getElementById("start-link");
    if (start && typeof state.l === "number" && pages[state.l]) {
      start.href = pages[state.l];
      start.textContent = start.dataset.continueLabel;
    }
  }
  if (tracker.standalone) document.getElementById("tracking-notice").hidden = false;

  // -- quizzes --
  function normalise(text, caseSensitive) {  // accents and extra spaces never matter
    text = String(text).normalize("NFD").replace(/\p{M}/gu, "").trim().replace(/\s+/g, " ");
    return caseSensitive ? text : text.toLocaleLowerCase();
  }
  function answerOf(fieldset, question) {
    var inputs = fieldset.querySelectorAll("input, select");
    if (question.type === "matching") {
      return Array.prototype.map.call(inputs, function (s) { return s.value; });
    }
    if (question.type === "short") return inputs[0].value;
    var chosen = Array.prototype.filter.call(inputs, function (i) { return i.checked; })
      .map(function (i) { return i.value; });
    return question.type === "multiple" ? chosen.map(Number) : (chosen[0] === undefined ? null : chosen[0]);
  }
  function isRight(question, answer) {
    switch (question.type) {
      case "single": return answer !== null && question.answer.indexOf(Number(answer)) >= 0;
      case "multiple": return answer.length === question.answer.length &&
        question.answer.every(function (a) { return answer.indexOf(a) >= 0; });
      case "truefalse": return answer === String(question.answer);
      case "matching": return question.answer.every(function (m, i) { return answer[i] === m; });
      case "short": return question.answer.some(function (a) {
        return normalise(a, question.caseSensitive) === normalise(answer, question.caseSensitive);
      });
    }
    return false;
  }
  function restore(fieldset, question, answer) {
    var inputs = fieldset.querySelectorAll("input, select");
    if (answer === null || answer === undefined) return;
    if (question.type === "matching") {
      inputs.forEach(function (s, i) { s.value = answer[i] || ""; });
    } else if (question.type === "short") {
      inputs[0].value = answer;
    } else {
      var wanted = [].concat(answer).map(String);
      inputs.forEach(function (i) { i.checked = wanted.indexOf(i.value) >= 0; });
    }
  }
  function setFeedback(fieldset, question, answer, right, strings, explain) {
    var parts = ["<strong>" + (right ? strings.correct : strings.incorrect) + "</strong>"];
    var general = right ? question.correct : question.incorrect;
    if (general && explain) parts.push("<p>" + general + "</p>");
    if (question.choiceFeedback && explain) {
      [].concat(answer === null ? [] : answer).forEach(function (i) {
        if (question.choiceFeedback[i]) parts.push("<p>" + question.choiceFeedback[i] + "</p>");
      });
    }
    var box = fieldset.querySelector(".feedback");
    box.className = "feedback " + (right ? "is-correct" : "is-incorrect");
    box.innerHTML = parts.join("");  // feedback HTML is sanitised at build time
  }

  function unanswered(question, answer) {
    if (question.type === "matching") return answer.indexOf("") >= 0;
    return answer === null || !String(answer).trim();  // also an empty list of choices
  }
  function button(label) {
    var element = document.createElement("button");
    element.type = "button";
    element.textContent = label;
    return element;
  }

  function setupQuiz(form) {
    var data = JSON.parse(form.parentNode.querySelector('.quiz-data[data-for="' + form.dataset.quiz + '"]').textContent);
    var strings = JSON.parse(form.parentNode.querySelector(".quiz-strings").textContent);
    var result = form.querySelector(".quiz-result");
    var retry = form.querySelector(".quiz-retry");
    var submit = form.querySelector("button[type=submit]");
    var record = state.q[data.id] || { n: 0 };
    var started = Date.now();
    var fieldsets = {};
    form.querySelectorAll("fieldset.question").forEach(function (f) { fieldsets[f.dataset.question] = f; });

    function attemptsLeft() { return data.attempts ? data.attempts - record.n : null; }
    function grade() {
      var score = 0, max = 0, outcomes = [];
      data.questions.forEach(function (question, i) {
        var answer = record.a[i] === undefined ? null : record.a[i];
        var right = isRight(question, answer);
        max += question.points;
        if (right) score += question.points;
        outcomes.push({ question: question, answer: answer, right: right });
      });
      // Rounded down, so a shown or stored percentage never passes a score that did not.
      var percent = max ? Math.floor(100 * score / max) : 0;
      record.s = percent; record.p = percent >= data.passing;
      // Explanations give the answers away: a graded quiz shows them once passed or closed.
      var left = attemptsLeft();
      var explain = !data.graded || record.p || (left !== null && left <= 0);
      outcomes.forEach(function (o) { setFeedback(fieldsets[o.question.id], o.question, o.answer, o.right, strings, explain); });
      return { score: score, max: max, percent: percent, outcomes: outcomes };
    }
    // The result of the last attempt; `graded` is null when its answers were not kept
    // (suspend_data too full): attempts and pass still hold, from record.n and record.p.
    function showResult(graded) {
      var left = attemptsLeft();
      var lines = [record.p ? strings.passed : strings.failed.replace("{passing}", data.passing)];
      if (graded) lines.unshift(strings.score.replace("{score}", graded.score).replace("{max}", graded.max).replace("{percent}", graded.percent));
      if (left !== null) lines.push(left > 0 ? strings.attemptsLeft.replace("{n}", left) : strings.noAttempts);
      result.textContent = lines.join(" ");
      // A passed graded quiz is final: a later try must not turn the pass into a fail.
      retry.hidden = !(left === null || left > 0) || (data.graded && record.p);
      submit.disabled = true;
      form.querySelectorAll("input, select").forEach(function (i) { i.disabled = true; });
    }

    function answers() { return data.questions.map(function (q) { return answerOf(fieldsets[q.id], q); }); }
    function attempt() {
      record.a = answers();
      record.n += 1;
      state.q[data.id] = record;
      var graded = grade();
      showResult(graded);
      tracker.quizDone(data, record, graded, Date.now() - started);
      save("quiz");
      result.focus();
    }
    // Unanswered questions would cost an attempt: ask first, in the page. Going back costs nothing.
    var asking = null;
    function confirmFirst(blanks) {
      if (asking) asking.remove();
      asking = document.createElement("div");
      asking.className = "quiz-actions quiz-confirm";
      asking.setAttribute("role", "group");
      var text = document.createElement("p"), go = button(strings.submitAnyway), back = button(strings.back);
      text.id = form.dataset.quiz + "--confirm";
      text.textContent = blanks.length === 1 ? strings.unansweredOne : strings.unanswered.replace("{n}", blanks.length);
      asking.setAttribute("aria-labelledby", text.id);
      go.addEventListener("click", function () { asking.remove(); asking = null; attempt(); });
      back.addEventListener("click", function () {
        asking.remove(); asking = null;
        fieldsets[blanks[0].id].querySelector("input, select").focus();
      });
      asking.append(text, go, back);
      form.querySelector(".quiz-actions").after(asking);
      go.focus();
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (submit.disabled) return;
      var given = answers();
      var blanks = data.questions.filter(function (q, i) { return unanswered(q, given[i]); });
      if (blanks.length) confirmFirst(blanks); else attempt();
    });
    retry.addEventListener("click", function () {
      form.querySelectorAll("input, select").forEach(function (i) { i.disabled = false; if (i.type === "radio" || i.type === "checkbox") i.checked = false; else i.value = ""; });
      form.querySelectorAll(".feedback").forEach(function (f) { f.innerHTML = ""; f.className = "feedback"; });
      result.textContent = "";
      submit.disabled = false; retry.hidden = true; started = Date.now();
      form.querySelector("input, select").focus();
    });
    if (record.a) {
      data.questions.forEach(function (q, i) { restore(fieldsets[q.id], q, record.a[i]); });
      showResult(grade());
    } else if (record.n) {
      showResult(null);
    }
  }

  // -- self-assessment checklists and reflections --
  function setupChecklist(form) {
    var id = form.dataset.checklist;
    var values = state.c[id] || [];
    form.querySelectorAll("input").forEach(function (input) {
      var item = Number(input.name.slice(1));
      if (input.type === "checkbox") input.checked = values[item] === 1;
      else input.checked = values[item] === Number(input.value);
      input.addEventListener("change", function () {
        values[item] = input.type === "checkbox" ? (input.checked ? 1 : 0) : Number(input.value);
        state.c[id] = values;
        save("checklist");
      });
    });
  }
  // Inside an LMS the tracker keeps reflections (state.r, activity id -> answers); a copy
  // stays on this device, per learner, for what the LMS cannot hold: the learner is told.
  function setupReflection(form) {
    var id = form.dataset.reflection;
    var learner = tracker.learner ? tracker.learner + ":" : "";  // a shared device keeps learners apart
    var key = "coursebridge:" + body.dataset.course + ":reflection:" + learner + id;
    var platform = typeof tracker.keptText === "function";
    var answers = platform ? (state.r[id] = state.r[id] || []) : [];
    var saved = {};
    try { saved = JSON.parse(localStorage.getItem(key)) || {}; } catch (e) { saved = {}; }
    if (platform) form.querySelector(".note").textContent = form.dataset.platformNote;
    form.querySelectorAll("textarea").forEach(function (area) {
      var index = Number(area.name.slice(1));
      area.value = typeof answers[index] === "string" ? answers[index] : saved[area.name] || "";
      if (platform) answers[index] = area.value;  // a text kept only here goes to the LMS too
      area.addEventListener("input", function () {
        answers[index] = saved[area.name] = area.value;
        try { localStorage.setItem(key, JSON.stringify(saved)); } catch (e) { /* private mode */ }
      });
      if (platform) area.addEventListener("change", function () { save("reflection"); showKept(form); });
    });
  }
  function showKept(form) {  // a polite notice under each answer the LMS has no room for
    form.querySelectorAll("textarea").forEach(function (area) {
      var notice = document.getElementById(area.id + "-kept");
      var kept = tracker.keptText(form.dataset.reflection, Number(area.name.slice(1)));
      if (kept && notice) {
        notice.remove();
        area.removeAttribute("aria-describedby");
      } else if (!kept && !notice) {
        notice = document.createElement("p");
        notice.id = area.id + "-kept";
        notice.className = "notice text-kept-locally";
        notice.setAttribute("role", "status");
        notice.textContent = form.dataset.keptLocally;
        area.after(notice);
        area.setAttribute("aria-describedby", notice.id);
      }
    });
  }

  // Runs for the page as loaded, and again each time a package runtime swaps in a page.
  function enterPage() {
    var main = document.getElementById("main");
    markVisited();
    main.querySelectorAll("form.quiz").forEach(setupQuiz);
    main.querySelectorAll("form.checklist").forEach(setupChecklist);
    main.querySelectorAll("form.reflection").forEach(setupReflection);
    showProgress();
    save("page");
    if (typeof tracker.keptText === "function") main.querySelectorAll("form.reflection").forEach(showKept);
  }
  window.CourseBridge = { enterPage: enterPage };
  enterPage();
})();
