// Solution → trajectories, and the shifted warm start of a receding-horizon step.
#include "qplayer/mpc/trajectory.hpp"

namespace qplayer::mpc {

void Trajectory::resize(const Layout& layout) {
  const int nx = layout.nx(), nu = layout.nu(), N = layout.horizon();
  const auto size = [](std::vector<Vector>& v, int count, int length) {
    v.resize(static_cast<std::size_t>(count));
    for (Vector& e : v) e.setZero(length);
  };
  size(x, N + 1, nx);
  size(u, N, nu);
  y_init.setZero(nx);
  size(y_dyn, N, nx);
  z_con.resize(static_cast<std::size_t>(N) + 1);
  for (int k = 0; k <= N; ++k) z_con[k].setZero(layout.con_rows(k));
  size(z_x, N + 1, nx);
  size(z_u, N, nu);
  objective = 0.0;
}

void extract(const Layout& layout, const Result& result, Trajectory& out) {
  const int nx = layout.nx(), nu = layout.nu(), N = layout.horizon();
  for (int k = 0; k <= N; ++k) {
    out.x[k] = result.x.segment(layout.x_offset(k), nx);
    out.z_x[k] = result.z_box.segment(layout.x_offset(k), nx);
    out.z_con[k] = result.z.segment(layout.con_row(k), layout.con_rows(k));
    if (k == N) break;
    out.u[k] = result.x.segment(layout.u_offset(k), nu);
    out.z_u[k] = result.z_box.segment(layout.u_offset(k), nu);
    out.y_dyn[k] = result.y.segment(layout.dynamics_row(k), nx);
  }
  out.y_init = result.y.segment(layout.init_row(), nx);
  out.objective = result.info.objective;
}

void shifted_warm_start(const Layout& layout, const Trajectory& previous, const Vector& x_init,
                        Vector& x0, Vector& y0, Vector& z0, Vector& z_box0) {
  const int nx = layout.nx(), nu = layout.nu(), N = layout.horizon();
  // Stage k of the new plan is stage k+1 of the old one; the tail repeats the last stage, a
  // guess no worse than any other without a model of what lies beyond the horizon.
  const auto next = [N](int k, int last) { return k + 1 <= last ? k + 1 : last; };
  for (int k = 0; k <= N; ++k) {
    const int s = next(k, N);
    x0.segment(layout.x_offset(k), nx) = previous.x[s];
    z_box0.segment(layout.x_offset(k), nx) = previous.z_x[s];
    // General rows: only stages with the same row count can hand their multipliers on.
    const int rows = layout.con_rows(k);
    if (rows == layout.con_rows(s))
      z0.segment(layout.con_row(k), rows) = previous.z_con[s];
    else
      z0.segment(layout.con_row(k), rows).setZero();
    if (k == N) break;
    const int su = next(k, N - 1);
    x0.segment(layout.u_offset(k), nu) = previous.u[su];
    z_box0.segment(layout.u_offset(k), nu) = previous.z_u[su];
    y0.segment(layout.dynamics_row(k), nx) = previous.y_dyn[su];
  }
  // The costate of x_1 (its dynamics row carries +I on x_1) is the guess for x_0's row.
  y0.segment(layout.init_row(), nx) = previous.y_dyn[0];
  x0.segment(layout.x_offset(0), nx) = x_init;
}

}  // namespace qplayer::mpc
