-- Argo Rollouts summarises a rollout in status.phase (Healthy, Progressing,
-- Paused, Degraded) and status.message; status.observedGeneration is a string.
if obj.spec ~= nil and obj.spec.paused == true then
  return {status = "Suspended", message = "Rollout is paused"}
end
local st = obj.status
if st == nil then
  return {status = "Progressing", message = "Waiting for the rollout controller"}
end
local gen = obj.metadata.generation
if gen ~= nil and st.observedGeneration ~= nil and tostring(st.observedGeneration) ~= tostring(gen) then
  return {status = "Progressing", message = "Waiting for the rollout spec update to be observed"}
end
if st.abort == true then
  return {status = "Degraded", message = st.message or "Rollout was aborted"}
end
if st.phase == "Healthy" then
  return {status = "Healthy", message = st.message or ""}
end
if st.phase == "Paused" then
  return {status = "Suspended", message = st.message or "Rollout is paused"}
end
if st.phase == "Degraded" then
  return {status = "Degraded", message = st.message or "Rollout is degraded"}
end
return {status = "Progressing", message = st.message or "Rollout is progressing"}
