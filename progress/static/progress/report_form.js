// The report form: 引用 quotes a supporting unit's contribution into 进展情况 (no inline script: CSP).
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-quote-into]");
  if (!button) return;
  event.preventDefault();
  var box = document.getElementById(button.getAttribute("data-quote-into"));
  if (!box) return;
  var quote = button.getAttribute("data-quote") || "";
  var text = box.value.replace(/\s+$/, "");
  box.value = text ? text + "\n" + quote : quote;
  box.dispatchEvent(new Event("input", { bubbles: true }));
  box.focus();
  button.textContent = "已引用";
});
