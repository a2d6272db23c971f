// Lets the Jupyter widget manager run from this site's own files, with no request to another host.
//
// myst-nb loads this script just before require.js and @jupyter-widgets/html-manager's
// embed-amd.js, on the pages that embed widget state (nb_ipywidgets_js in _config.yml). It fixes
// three things html-manager 1.0.6 would otherwise get wrong on this site. Every URL is made
// absolute from this script's own address, so all three are right at any page depth and under
// any site prefix.
//
// 1. Icon fonts. The widget CSS loads its Font Awesome fonts from the folder of the module that
//    defines it, and require.js places that module, @jupyter-widgets/html-manager/dist/..., under
//    its baseUrl, which is the page's folder: book/@jupyter-widgets/html-manager/dist/*.woff2, a
//    404. A require.js configuration, read by require.js when it loads next, maps that module
//    path to _static/vendor/html-manager/, where `make book` puts the fonts.
// 2. Modules the bundle does not contain are fetched from the "CDN" named by a
//    data-jupyter-widgets-cdn attribute on any script of the page (default cdn.jsdelivr.net).
//    This script puts that attribute on itself, pointing at _static/vendor/.
// 3. The widget labels are typeset with the MathJax 2 API (MathJax.Hub.Queue); the site loads
//    MathJax 3, which has no Hub, so every labelled widget threw a TypeError on a page with
//    math. A minimal Hub hands the element to MathJax 3's typesetPromise.
(function () {
  "use strict";

  var script = document.currentScript;
  var vendor = new URL("vendor/", script.src).href;

  // 1. A global `require` object defined before require.js loads is its configuration.
  if (typeof window.require === "undefined") {
    window.require = {
      paths: { "@jupyter-widgets/html-manager/dist": vendor + "html-manager" },
    };
  }

  // 2. Where html-manager looks for widget modules it does not bundle.
  script.setAttribute("data-jupyter-widgets-cdn", vendor);

  // 3. MathJax 2's Hub.Queue(["Typeset", MathJax.Hub, element]) on top of MathJax 3.
  function addHub() {
    var mj = window.MathJax;
    if (!mj || mj.Hub || typeof mj.version !== "string" || mj.version.charAt(0) !== "3") {
      return;
    }
    mj.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (job) {
          if (!Array.isArray(job) || job[0] !== "Typeset") {
            return;
          }
          var element = job[2];
          var ready = mj.startup && mj.startup.promise ? mj.startup.promise : Promise.resolve();
          ready
            .then(function () {
              return mj.typesetPromise(element ? [element] : undefined);
            })
            .catch(function (err) {
              console.warn("MathJax could not typeset a widget label:", err);
            });
        });
      },
    };
  }
  // MathJax loads deferred or async: add the Hub when any script finishes loading (a script's
  // load event reaches a capturing listener on document) and at window load. html-manager
  // renders the widgets at window load too, after this older listener has run.
  addHub();
  document.addEventListener("load", addHub, true);
  window.addEventListener("load", addHub);
})();
