// Border Bargains: the course's own form controls, rendered by anywidget.
//
// JupyterLab's command-mode shortcuts (arrows, j/k, a/b, m, Shift-Enter) act on the notebook even while a
// widget's control has the focus. Every control below carries data-lm-suppress-shortcuts, so its keys stay
// with the control: Tab reaches it, arrows or Space choose, typing goes into boxes. Everything is a native
// element (select, radio, text box, button) with a real label, so browsers and screen readers know it.

let counter = 0;
const uid = (part) => `bb-${part}-${Math.random().toString(36).slice(2, 8)}${(counter++).toString(36)}`;
const make = (tag, cls, text) => {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
};
const suppress = (node) => {
  node.setAttribute("data-lm-suppress-shortcuts", "true");
  return node;
};

function caption(model, tag, forId) {
  // The visible text of an item: "1. text", then a (not-named) reference in small print.
  const label = make(tag, "bb-label");
  if (forId) label.htmlFor = forId;
  if (model.get("number")) label.append(make("b", "bb-num", model.get("number") + " "));
  label.append(document.createTextNode(model.get("text")));
  if (model.get("hide_label")) label.classList.add("bb-visually-hidden");
  return label;
}

function reference(model) {
  const ref = model.get("ref");
  return ref ? make("span", "bb-ref", ref) : null;
}

function renderSelect(model, el) {
  const id = uid("select");
  const field = make("div", "bb-field");
  const select = suppress(make("select", "bb-select"));
  select.id = id;
  if (model.get("name")) select.setAttribute("aria-label", model.get("name"));
  const head = make("div", "bb-item-head");
  head.append(caption(model, "label", id));
  const ref = reference(model);
  if (ref) head.append(" ", ref);
  const chosen = make("div", "bb-chosen");
  chosen.setAttribute("aria-hidden", "true");
  const fill = () => {
    select.replaceChildren();
    const blank = make("option", "", model.get("placeholder"));
    blank.value = "";
    select.append(blank);
    model.get("labels").forEach((text, i) => {
      const option = make("option", "", text);
      option.value = String(i);
      select.append(option);
    });
  };
  const show = () => {
    const index = model.get("index");
    select.value = index === null || index === undefined ? "" : String(index);
    const text = index === null || index === undefined ? "" : model.get("labels")[index];
    chosen.textContent = model.get("show_choice") && text ? text : "";
    field.classList.toggle("bb-answered", index !== null && index !== undefined);
  };
  select.addEventListener("change", () => {
    model.set("index", select.value === "" ? null : Number(select.value));
    model.save_changes();
  });
  fill();
  show();
  field.append(head, select, chosen);
  el.append(field);
  model.on("change:index", show);
  model.on("change:labels", () => { fill(); show(); });
}

function renderRadios(model, el) {
  // One radio group per item: a single tab stop, arrows move the choice, Space picks the focused point.
  const group = suppress(make("fieldset", "bb-field bb-radios"));
  const legend = caption(model, "legend");
  const ref = reference(model);
  if (ref) legend.append(" ", ref);
  group.append(legend);
  if (model.get("name")) group.setAttribute("aria-label", model.get("name"));
  const row = make("div", "bb-radio-row");
  const name = uid("radio");
  const inputs = model.get("labels").map((text, i) => {
    const label = make("label", "bb-radio");
    const input = suppress(make("input"));
    input.type = "radio";
    input.name = name;
    input.value = String(i);
    input.addEventListener("change", () => {
      if (input.checked) {
        model.set("index", i);
        model.save_changes();
      }
    });
    label.append(input, make("span", "bb-radio-text", text));
    row.append(label);
    return input;
  });
  const show = () => {
    const index = model.get("index");
    inputs.forEach((input, i) => {
      input.checked = index === i;
      input.parentElement.classList.toggle("bb-checked", index === i);
    });
  };
  show();
  group.append(row);
  el.append(group);
  model.on("change:index", show);
}

function renderTyped(model, el) {
  // A text box: saved when the student presses Enter or leaves it; the kernel's verdict is read out.
  const id = uid("typed");
  const field = make("div", "bb-field");
  const input = suppress(make("input", "bb-input"));
  input.type = "text";
  input.id = id;
  input.placeholder = model.get("placeholder");
  input.autocomplete = "off";
  input.spellcheck = false;
  if (model.get("name")) input.setAttribute("aria-label", model.get("name"));
  const head = make("div", "bb-item-head");
  head.append(caption(model, "label", id));
  const ref = reference(model);
  if (ref) head.append(" ", ref);
  const line = make("div", "bb-typed-row");
  line.append(input);
  const described = [];
  if (model.get("unit")) {
    const unit = make("span", "bb-unit", model.get("unit"));
    unit.id = uid("unit");
    described.push(unit.id);
    line.append(unit);
  }
  const message = make("p", "bb-message");
  message.id = uid("message");
  message.setAttribute("role", "status");
  message.setAttribute("aria-live", "polite");
  described.push(message.id);
  input.setAttribute("aria-describedby", described.join(" "));
  const commit = () => {
    model.set("value", input.value);
    model.save_changes();
  };
  input.addEventListener("change", commit);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      commit();
    }
  });
  const showValue = () => {
    if (document.activeElement !== input) input.value = model.get("value");
  };
  const showMessage = () => {
    const error = model.get("message_kind") === "error";
    message.textContent = model.get("message");
    message.classList.toggle("bb-error", error);
    if (error) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };
  input.value = model.get("value");
  showMessage();
  field.append(head, line, message);
  el.append(field);
  model.on("change:value", showValue);
  model.on("change:message", showMessage);
  model.on("change:message_kind", showMessage);
}

function renderButton(model, el) {
  // A button, and a live region under it that reads out what the click produced.
  const wrap = make("div", "bb-action");
  const button = suppress(make("button", "bb-button", model.get("label")));
  button.type = "button";
  const live = make("p", "bb-announce");
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  button.addEventListener("click", () => {
    model.set("clicks", model.get("clicks") + 1);
    model.save_changes();
  });
  const announce = () => { live.textContent = model.get("announcement"); };
  announce();
  wrap.append(button, live);
  el.append(wrap);
  model.on("change:announcement", announce);
}

const RENDERERS = { select: renderSelect, radio: renderRadios, typed: renderTyped, button: renderButton };

export default {
  render({ model, el }) {
    el.classList.add("bb-control");
    RENDERERS[model.get("component")](model, el);
  },
};
